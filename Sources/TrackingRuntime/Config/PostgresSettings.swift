/// `events.postgres`: the PostgreSQL sink, and the database `report` reads.
public struct PostgresSettings: Sendable, Equatable {
    /// `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require|verify-full]`.
    public var url: String
    /// A file whose first line is the password; it wins over a password in `url`, so the
    /// configuration can stay world-readable. Relative paths are relative to the configuration.
    public var passwordFile: String?
    /// At most this many events go into one INSERT statement; a larger batch is split into
    /// several statements, still in one transaction.
    public var batchMaxEvents = 1000
    /// Seconds a new connection may take (TCP, TLS and authentication).
    public var connectTimeout = 10
    /// Seconds one batch may take, waiting for a connection included; past it the batch
    /// fails and the shipper offers it again after its backoff.
    public var batchTimeout = 30

    public init(url: String) { self.url = url }
}

/// `events.postgres`: the PostgreSQL sink, and the database `report` reads.
public struct PostgresSettings: Sendable, Equatable {
    /// `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require|verify-full]`.
    public var url: String
    /// `password` or the first line of `password_file`; it wins over a password in `url`, so
    /// the configuration can stay world-readable.
    public var password: Secret?
    /// Seconds a new connection may take (TCP, TLS and authentication).
    public var connectTimeout = 10
    /// Seconds one batch may take, waiting for a connection included; past it the batch
    /// fails and the shipper offers it again after its backoff.
    public var batchTimeout = 30
    /// Batching, retries and the dead-letter file, as for a webhook.
    public var delivery = DeliverySettings()

    public init(url: String) { self.url = url }
}

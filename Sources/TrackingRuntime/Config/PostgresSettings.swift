/// `events.postgres`: the PostgreSQL sink, and the database `report` reads.
public struct PostgresSettings: Sendable, Equatable {
    /// `postgres://user[:password]@host[:port]/database`.
    public var url: String

    public init(url: String) { self.url = url }
}

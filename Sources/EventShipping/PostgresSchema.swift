import Logging
import PostgresNIO

/// The tables the sink writes and `report` reads (docs/events.md, "PostgreSQL schema"),
/// created and brought up to date by numbered migrations recorded in `schema_migrations`.
public enum PostgresSchema {
    /// One step of the schema; applied once, in version order, in one transaction.
    struct Migration: Sendable {
        let version: Int32
        let statements: [String]
    }

    /// Append only: a released migration is never changed, a change is a new version.
    static let migrations: [Migration] = [
        Migration(version: 1, statements: [
            """
            CREATE TABLE tracking_events (
              event_id text PRIMARY KEY,
              type text NOT NULL,
              ts timestamptz NOT NULL,
              message_id text,
              rcpt_to text,
              campaign_id text,
              customer_id text,
              target_link_url text,
              target_link_name text,
              machine text,
              payload jsonb NOT NULL
            )
            """,
            "CREATE INDEX tracking_events_campaign_type ON tracking_events (campaign_id, type)",
            "CREATE INDEX tracking_events_message ON tracking_events (message_id)",
        ]),
    ]

    /// The newest version this build knows.
    public static var latestVersion: Int32 { migrations.last?.version ?? 0 }

    /// Serializes migrators: a transaction-level advisory lock, released at commit or
    /// rollback, so that a crashed migrator cannot leave it held. ("tracking" in ASCII.)
    static let advisoryLockKey: Int64 = 0x7472_6163_6B69_6E67

    /// Brings the schema up to `latestVersion` and returns the versions it applied (empty
    /// when it was up to date). Any number of processes may call this at once: they queue on
    /// the advisory lock, and each sees what the ones before it committed.
    @discardableResult
    public static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int32] {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(advisoryLockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                  version integer PRIMARY KEY,
                  applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            var current: Int32 = 0
            for try await version in try await connection.query(
                "SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger
            ).decode(Int32.self) {
                current = version
            }
            if current > latestVersion {
                logger.warning("the events database has a newer schema than this build knows; writing to it as version \(latestVersion)",
                               metadata: ["schema_version": "\(current)"])
            }
            var applied: [Int32] = []
            for migration in migrations where migration.version > current {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: logger)
                applied.append(migration.version)
            }
            return applied
        }
    }
}

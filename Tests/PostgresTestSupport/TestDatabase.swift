import Foundation
import Logging
import PostgresNIO
import TrackingRuntime

/// A database of its own for one test, made on the PostgreSQL that `scripts/start-postgres`
/// sets up (`TRACKING_TEST_POSTGRES_URL`), and dropped after the test.
public struct TestDatabase: Sendable {
    /// The server's URL from the environment; tests that need PostgreSQL are skipped without it.
    public static let baseURL = ProcessInfo.processInfo.environment["TRACKING_TEST_POSTGRES_URL"]
    public static var available: Bool { baseURL != nil }
    public static let skipNote = "TRACKING_TEST_POSTGRES_URL is not set: run scripts/start-postgres and export its output to test against PostgreSQL"

    public let name: String
    /// `events.postgres` pointing at this database.
    public let settings: PostgresSettings

    /// Runs `body` with a fresh, empty database (`encoding` for its character set), then drops it.
    public static func with<Result: Sendable>(
        encoding: String = "UTF8", _ body: (TestDatabase) async throws -> Result
    ) async throws -> Result {
        let database = try await create(encoding: encoding)
        do {
            let result = try await body(database)
            try await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }

    static func create(encoding: String) async throws -> TestDatabase {
        guard let base = baseURL, var url = URLComponents(string: base) else { throw TestDatabaseError.notConfigured }
        let name = "tracking_test_" + (0..<8).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
        try await admin { connection in
            try await connection.query(PostgresQuery(unsafeSQL:
                "CREATE DATABASE \(name) TEMPLATE template0 ENCODING '\(encoding)' LC_COLLATE 'C' LC_CTYPE 'C'"), logger: logger)
        }
        url.path = "/" + name
        var settings = PostgresSettings(url: url.string ?? base)
        settings.batchTimeout = 20
        settings.connectTimeout = 5
        return TestDatabase(name: name, settings: settings)
    }

    func drop() async throws {
        try await Self.admin { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: Self.logger)
        }
    }

    /// Runs `body` on one connection to this database.
    public func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await Self.connect(settings.url, body)
    }

    /// Rows in `tracking_events`.
    public func eventCount() async throws -> Int {
        try await withConnection { connection in
            var count = 0
            for try await value in try await connection.query("SELECT count(*) FROM tracking_events", logger: Self.logger).decode(Int.self) {
                count = value
            }
            return count
        }
    }

    public static let logger = Logger(label: "test-database")

    private static func admin(_ body: (PostgresConnection) async throws -> Void) async throws {
        guard let base = baseURL else { throw TestDatabaseError.notConfigured }
        try await connect(base, body)
    }

    private static func connect<Result: Sendable>(_ url: String, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        guard let parts = URLComponents(string: url), let host = parts.host, let user = parts.user else {
            throw TestDatabaseError.notConfigured
        }
        let configuration = PostgresConnection.Configuration(
            host: host, port: parts.port ?? 5432, username: user, password: parts.password,
            database: String(parts.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

public enum TestDatabaseError: Error {
    case notConfigured
}

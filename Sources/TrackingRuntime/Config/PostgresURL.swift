import Foundation

/// `events.postgres.url` taken apart: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`.
/// Read when the configuration loads, so that a bad URL stops start-up at its FILE:LINE.
public struct PostgresURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    /// The password in the URL, if any (`events.postgres.password` wins over it).
    public var password: String?
    /// The database; the user's name when the URL names none, as libpq does.
    public var database: String
    public var tls: PostgresTLSMode

    public init(parsing text: String) throws(PostgresURLError) {
        guard let components = URLComponents(string: text),
              components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw PostgresURLError("not a postgres:// URL; write postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresURLError("the URL has no host; write postgres://USER@HOST[:PORT]/DATABASE")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresURLError("the URL has no user; write postgres://USER@\(host)/DATABASE")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? 5432
        self.user = user
        password = components.password
        self.database = database.isEmpty ? user : database
        tls = .prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw PostgresURLError("unknown URL parameter \(item.name); only sslmode is read")
            }
            guard let mode = item.value.flatMap(PostgresTLSMode.init(rawValue:)) else {
                throw PostgresURLError("sslmode must be one of \(PostgresTLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tls = mode
        }
    }
}

/// libpq's `sslmode` values that mean something here.
public enum PostgresTLSMode: String, Sendable, CaseIterable {
    /// Plain TCP.
    case disable
    /// TLS when the server offers it, the certificate unchecked (libpq's default).
    case prefer
    /// TLS or no connection, the certificate unchecked.
    case require
    /// TLS or no connection, the certificate checked against the system's CAs and the host name.
    case verifyFull = "verify-full"
}

/// Why `events.postgres.url` cannot be used.
public struct PostgresURLError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

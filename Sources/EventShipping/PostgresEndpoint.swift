import Foundation
import PostgresNIO
import TrackingRuntime

/// Where and as whom to connect, from `events.postgres` (its `url` and `password_file`).
/// Both the sink's connection pool and `report`'s single connection are made from it.
public struct PostgresEndpoint: Sendable, Equatable {
    /// libpq's `sslmode` values that mean something here.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, the certificate unchecked (libpq's default).
        case prefer
        /// TLS or no connection, the certificate unchecked.
        case require
        /// TLS or no connection, the certificate checked against the system's CAs and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var connectTimeout: Duration

    /// `host:port/database`, for messages (never the password).
    public var display: String { "\(host):\(port)/\(database)" }

    /// Reads `settings.url`, and the password file if there is one.
    public init(_ settings: PostgresSettings) throws(PostgresEndpointError) {
        guard let components = URLComponents(string: settings.url),
              components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw PostgresEndpointError("events.postgres.url is not a postgres:// URL; write postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresEndpointError("events.postgres.url has no host; write postgres://USER@HOST[:PORT]/DATABASE")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresEndpointError("events.postgres.url has no user; write postgres://USER@\(host)/DATABASE")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? 5432
        self.user = user
        self.database = database.isEmpty ? user : database
        connectTimeout = .seconds(settings.connectTimeout)
        tls = .prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresEndpointError("events.postgres.url: sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            default:
                throw PostgresEndpointError("events.postgres.url: unknown parameter \(item.name); only sslmode is read")
            }
        }
        if let file = settings.passwordFile {
            password = try Self.readPassword(file)
        } else {
            password = components.password
        }
    }

    private static func readPassword(_ path: String) throws(PostgresEndpointError) -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PostgresEndpointError("cannot read events.postgres.password_file \(path): \(error.localizedDescription); make it readable by the service's user")
        }
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let password = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        guard !password.isEmpty else {
            throw PostgresEndpointError("events.postgres.password_file \(path) is empty; put the password on its first line")
        }
        return password
    }

    var nioTLS: PostgresClient.Configuration.TLS {
        switch tls {
        case .disable: return .disable
        case .prefer: return .prefer(Self.unverified)
        case .require: return .require(Self.unverified)
        case .verifyFull: return .require(.makeClientConfiguration())
        }
    }

    private static var unverified: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }

    /// For a connection pool (the sink). `statement_timeout` bounds each statement on the server as well.
    public func clientConfiguration(statementTimeout: Duration, maximumConnections: Int) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: nioTLS)
        configuration.options.connectTimeout = connectTimeout
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = [
            ("application_name", "tracking-milter"),
            // Our text is UTF-8; without this a database in another encoding would store it garbled.
            ("client_encoding", "UTF8"),
            ("statement_timeout", "\(statementTimeout.components.seconds * 1000)"),
        ]
        return configuration
    }

    /// For one connection (`report`, or the sink finding out why its pool cannot connect).
    public func connectionConfiguration(applicationName: String = "tracking-milter report") throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: Self.unverified))
        case .require: tls = .require(try NIOSSLContext(configuration: Self.unverified))
        case .verifyFull: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(connectTimeout.components.seconds)
        configuration.options.additionalStartupParameters = [("application_name", applicationName), ("client_encoding", "UTF8")]
        return configuration
    }
}

/// `events.postgres` cannot be used as written.
public struct PostgresEndpointError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

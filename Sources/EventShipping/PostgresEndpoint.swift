import Foundation
import PostgresNIO
import TrackingRuntime

/// Where and as whom to connect, from `events.postgres` (its `url` and `password`). Both
/// the sink's connection pool and `report`'s single connection are made from it.
public struct PostgresEndpoint: Sendable, Equatable {
    /// The URL's parts, its password replaced by `events.postgres.password` when that is set.
    public var target: PostgresURL
    public var connectTimeout: Duration

    /// `host:port/database`, for messages (never the password).
    public var display: String { "\(target.host):\(target.port)/\(target.database)" }

    /// Reads `settings.url`; `settings.password` wins over a password in it.
    public init(_ settings: PostgresSettings) throws(PostgresEndpointError) {
        do { target = try PostgresURL(parsing: settings.url) } catch {
            throw PostgresEndpointError("events.postgres.url: \(error.description)")
        }
        if let password = settings.password { target.password = password.value }
        connectTimeout = .seconds(settings.connectTimeout)
    }

    var nioTLS: PostgresClient.Configuration.TLS {
        switch target.tls {
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
            host: target.host, port: target.port, username: target.user, password: target.password, database: target.database,
            tls: nioTLS)
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
        switch target.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: Self.unverified))
        case .require: tls = .require(try NIOSSLContext(configuration: Self.unverified))
        case .verifyFull: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: target.host, port: target.port, username: target.user, password: target.password, database: target.database,
            tls: tls)
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

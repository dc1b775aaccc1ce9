import AsyncHTTPClient
import EventSpool
import Logging
import NIOCore
import TrackingRuntime

/// The shipper the configuration describes: one lane per sink over the spool directory.
/// One home for `ship` and the tracker's in-process shipper.
public struct ShipperSetup: Sendable {
    public let shipper: Shipper
    /// The HTTP client the webhook sinks share; `close()` shuts it down.
    public let client: HTTPClient
    /// The PostgreSQL sink's connection pool, running until `close()`.
    let postgresPool: Task<Void, Never>?

    /// Nil when the configuration has no spool or no sinks (nothing to ship). `extraLanes`
    /// adds sinks built elsewhere (such as PostgreSQL) to the same shipper.
    public static func make(_ events: EventsSettings, logger: Logger, extraLanes: [ShipperLane] = []) -> ShipperSetup? {
        guard let spool = events.spool, events.hasSinks || !extraLanes.isEmpty else { return nil }
        var configuration = HTTPClient.Configuration()
        // A redirect is an answer that is not 2xx: retried, and the operator fixes the URL.
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var lanes = events.webhooks.map { webhook in
            ShipperLane(sink: WebhookSink(settings: webhook, client: client), delivery: webhook.delivery, spoolDirectory: spool.directory)
        } + extraLanes
        var postgresPool: Task<Void, Never>?
        if let postgres = events.postgres {
            do {
                let sink = try PostgresSink(settings: postgres, logger: logger)
                postgresPool = Task { await sink.run() }
                lanes.append(ShipperLane(sink: sink, delivery: postgres.delivery, spoolDirectory: spool.directory))
            } catch {
                // The loader checked the URL; only settings made in code get here.
                logger.critical("events.postgres cannot be used; not shipping to PostgreSQL", metadata: ["error": "\(error)"])
            }
        }
        let shipper = Shipper(spool: SpoolDirectory(path: spool.directory), lanes: lanes, logger: logger)
        return ShipperSetup(shipper: shipper, client: client, postgresPool: postgresPool)
    }

    /// Shuts the HTTP client down (after the shipper's `run` returned).
    public func close() async {
        postgresPool?.cancel()
        await postgresPool?.value
        try? await client.shutdown()
    }
}

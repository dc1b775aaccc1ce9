import EventShipping
import EventSpool
import Hummingbird
import Logging
import MetricsEndpoint
import Metrics
import Prometheus
import ServiceLifecycle
import Tracking
import TrackingRuntime
import UnixSignals

/// The tracker as a service: the Hummingbird application, the SIGHUP reloader, the log lines.
public enum TrackerServer {
    /// The Hummingbird application serving `core` on `listen` (port 0: any free port).
    /// `onListening` gets the bound address once the socket accepts connections. A
    /// connection idle for `idleTimeout` seconds is closed (a slow client cannot hold it).
    public static func makeApplication(
        core: TrackerCore,
        listen: ListenAddress,
        logger: Logger,
        idleTimeout: Int = TrackerSettings().idleTimeout,
        onListening: @escaping @Sendable (ListenAddress) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        // Hummingbird's own info line ("Server started ...") would repeat ours.
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: core.makeRouter(),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(idleTimeout)))),
            configuration: ApplicationConfiguration(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress.map { address in
                    ListenAddress(host: address.ipAddress ?? listen.host, port: address.port ?? listen.port)
                }
                await onListening(bound ?? listen)
            },
            logger: serverLogger
        )
    }

    /// Runs until SIGTERM or SIGINT, then lets requests in flight finish. SIGHUP or SIGUSR1
    /// reloads the configuration, keys and machines file and reopens the events file.
    public static func run(
        configuration: Configuration,
        keyring: TrackingKeyring,
        machines: [MachineRule],
        events: FileEventWriter,
        spool: SpoolWriter? = nil,
        logger: Logger
    ) async throws {
        let settings = configuration.tracker
        let core = TrackerCore(keyring: keyring, settings: settings, machines: machines, events: events, spool: spool, logger: logger)
        // Anything reporting through swift-metrics shows up on /metrics too. Once per process.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: core.metrics.registry))
        logger.info("starting", metadata: [
            "config": "\(configuration.file)", "listen": "\(settings.listen)", "events": "\(events.name)",
            "spool": "\(spool?.spool.path ?? "none")",
            "machines": "\(settings.machinesFile ?? "built-in")", "machine_rules": "\(machines.count)",
            "trusted_proxies": "\(settings.trustedProxies.map(\.description).joined(separator: ","))",
            "click_rate_limit": "\(settings.clickRateLimit)", "keys": "\(keyring.keyIDs.count)",
            "active_key": "\(keyring.activeKey.id)",
        ])
        let app = makeApplication(core: core, listen: settings.listen, logger: logger, idleTimeout: settings.idleTimeout) { address in
            logger.info("listening", metadata: ["listen": "\(address)"])
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: app)]
        if let metricsListen = settings.metricsListen {
            services.append(.init(service: MetricsEndpoint.application(
                registry: core.metrics.registry, host: metricsListen.host, port: metricsListen.port,
                health: { nil }, logger: logger, beforeExposition: { core.updateGauges() },
                onListening: { port in logger.info("metrics listening", metadata: ["listen": "\(metricsListen.host):\(port)"]) })))
        }
        if let shipping = ShipperSetup.make(configuration.events, logger: logger) {
            // One host, one service more: the tracker ships the spool itself (docs/events.md).
            logger.info("shipping events in-process", metadata: ShipRunner.metadata(configuration))
            services.append(.init(service: ShipperService(shipping)))
        }
        let reloader = TrackerReloader(core: core, configFile: configuration.file, events: events, logger: logger)
        let retry = EventRetryService(events: events, spool: spool)
        let group = ServiceGroup(configuration: .init(
            services: services + [.init(service: reloader), .init(service: retry)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        var stopped: Logger.Metadata = ["listen": "\(settings.listen)"]
        if !events.retryPending() {
            let status = events.status
            stopped["events_lost"] = "\(status.pendingLines)"
            logger.critical("events file still refuses writes at shutdown; events kept in memory are lost", metadata: stopped)
        }
        if let spool, spool.close() > 0 {
            stopped["spool_events_lost"] = "\(spool.status.pendingEvents)"
            logger.critical("event spool still refuses writes at shutdown; events kept in memory are lost", metadata: stopped)
        }
        logger.info("stopped", metadata: stopped)
    }
}

/// Waits for SIGHUP or SIGUSR1 (the milter's reload signal, so one command reloads both):
/// re-reads the configuration, key file and machines file and puts them in force together,
/// and reopens the events file. A file that does not load is refused with its FILE:LINE
/// error and the running settings stay.
struct TrackerReloader: Service {
    let core: TrackerCore
    let configFile: String
    let events: FileEventWriter
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup, .sigusr1)
        for await _ in signals.cancelOnGracefulShutdown() {
            reload()
        }
    }

    func reload() {
        var metadata: Logger.Metadata = ["events": "\(events.name)", "config": "\(configFile)"]
        do {
            try events.reopen()
        } catch {
            logger.error("cannot reopen the events file; still writing to the old one", metadata: ["error": "\(error)"])
        }
        let configuration: Configuration
        let keyring: TrackingKeyring
        let machines: [MachineRule]
        do {
            (configuration, keyring) = try ServiceStartup.load(configFile, policyScript: false)
            machines = try TrackerResources.machines(configuration)
        } catch {
            metadata["error"] = "\(error)"
            logger.error("reload refused; the running configuration, keys and machine rules stay in force", metadata: metadata)
            return
        }
        core.replace(keyring: keyring, settings: configuration.tracker)
        core.replaceMachines(machines)
        metadata["machines"] = "\(configuration.tracker.machinesFile ?? "built-in")"
        metadata["machine_rules"] = "\(machines.count)"
        metadata["keys"] = "\(keyring.keyIDs.count)"
        metadata["active_key"] = "\(keyring.activeKey.id)"
        logger.info("reloaded", metadata: metadata)
    }
}

/// Writes out event lines kept after a failed write once a second, so they do not wait for
/// the next hit.
struct EventRetryService: Service {
    let events: any EventWriter
    var spool: SpoolWriter?

    func run() async throws {
        while !Task.isCancelledOrShuttingDown {
            try? await Task.sleep(for: .seconds(1))
            if events.status.pendingLines > 0 { _ = events.retryPending() }
            spool?.retryPending()
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Cancelled, or the service group is shutting down gracefully.
    static var isCancelledOrShuttingDown: Bool { isCancelled || isShuttingDownGracefully }
}

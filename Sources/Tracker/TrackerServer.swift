import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Tracking
import TrackingRuntime
import UnixSignals

/// The tracker as a service: the Hummingbird application, the SIGHUP reloader, the log lines.
public enum TrackerServer {
    /// The Hummingbird application serving `core` on `listen` (port 0: any free port).
    /// `onListening` gets the bound address once the socket accepts connections.
    public static func makeApplication(
        core: TrackerCore,
        listen: TrackerListenAddress,
        logger: Logger,
        onListening: @escaping @Sendable (TrackerListenAddress) async -> Void = { _ in }
    ) -> Application<RouterResponder<TrackerRequestContext>> {
        // Hummingbird's own info line ("Server started ...") would repeat ours.
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: core.makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress.map { address in
                    TrackerListenAddress(host: address.ipAddress ?? listen.host, port: address.port ?? listen.port)
                }
                await onListening(bound ?? listen)
            },
            logger: serverLogger
        )
    }

    /// Runs until SIGTERM or SIGINT, then lets requests in flight finish. SIGHUP re-reads the
    /// machines file and reopens the events file (after log rotation).
    public static func run(
        configuration: Configuration,
        keyring: TrackingKeyring,
        machines: [MachineRule],
        events: FileEventWriter,
        logger: Logger
    ) async throws {
        let settings = configuration.tracker
        let core = TrackerCore(keyring: keyring, settings: settings, machines: machines, events: events, logger: logger)
        // Anything reporting through swift-metrics shows up on /metrics too. Once per process.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: core.metrics.registry))
        logger.info("starting", metadata: [
            "config": "\(configuration.file)", "listen": "\(settings.listen)", "events": "\(events.name)",
            "machines": "\(settings.machinesFile ?? "built-in")", "machine_rules": "\(machines.count)",
            "trusted_proxies": "\(settings.trustedProxies.map(\.description).joined(separator: ","))",
            "click_rate_limit": "\(settings.clickRateLimit)", "keys": "\(keyring.keyIDs.count)",
            "active_key": "\(keyring.activeKey.id)",
        ])
        let app = makeApplication(core: core, listen: settings.listen, logger: logger) { address in
            logger.info("listening", metadata: ["listen": "\(address)"])
        }
        let reloader = TrackerReloader(core: core, machinesFile: settings.machinesFile, events: events, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app), .init(service: reloader)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        logger.info("stopped", metadata: ["listen": "\(settings.listen)"])
    }
}

/// Waits for SIGHUP: re-reads the machines file (keeping the old rules when the new file is
/// broken) and reopens the events file.
struct TrackerReloader: Service {
    let core: TrackerCore
    let machinesFile: String?
    let events: FileEventWriter
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            reload()
        }
    }

    func reload() {
        var metadata: Logger.Metadata = ["events": "\(events.name)"]
        do {
            try events.reopen()
        } catch {
            logger.error("cannot reopen the events file; still writing to the old one", metadata: ["error": "\(error)"])
        }
        if let machinesFile {
            do {
                let rules = try MachineRulesLoader.load(path: machinesFile)
                core.replaceMachines(rules)
                metadata["machines"] = "\(machinesFile)"
                metadata["machine_rules"] = "\(rules.count)"
            } catch {
                logger.error("machines file not reloaded; the previous rules stay in force", metadata: ["error": "\(error)"])
                return
            }
        }
        logger.info("reloaded", metadata: metadata)
    }
}

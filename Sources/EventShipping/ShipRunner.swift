import Dispatch
import Logging
import MetricsEndpoint
import Metrics
import Posix
import Prometheus
import Synchronization
import TrackingRuntime
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// `tracking-milter ship`: the shipper as its own service (docs/events.md, "The ship
/// command"). Runs until SIGTERM or SIGINT; SIGHUP or SIGUSR1 re-reads the configuration
/// and restarts the shipper with it (a configuration that does not load is refused and the
/// running one stays).
public enum ShipRunner {
    /// EX_TEMPFAIL: `--once` left events spooled because a sink failed.
    public static let sinkFailedExitCode: Int32 = 75

    /// Runs the command; returns the process's exit code. Errors that stop start-up throw
    /// with the exit code to use.
    public static func run(configPath: String, once: Bool) throws(StartupError) -> Int32 {
        // main blocked these for libmilter; the shipper handles them itself.
        Posix.unblockSignals([SIGTERM, SIGINT, SIGHUP, SIGUSR1])
        let configuration = try ServiceStartup.configuration(configPath, policyScript: false)
        try checkSinks(configuration)
        let logger = ServiceStartup.logger(configuration)
        if let listen = configuration.events.metricsListen { serveMetrics(listen, logger: logger) }
        let code = Mutex<Int32>(0)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let result: Int32
            if once {
                result = await shipOnce(configuration, logger: logger)
            } else {
                result = await serve(configuration, logger: logger)
            }
            code.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return code.withLock { $0 }
    }

    /// Stops start-up, saying what to add, when there is nothing to ship.
    static func checkSinks(_ configuration: Configuration) throws(StartupError) {
        let events = configuration.events
        guard let spool = events.spool else {
            throw StartupError("\(configuration.file): events.spool is not set, so there is nothing to ship; add events.spool.dir (docs/events.md)",
                               exitCode: StartupError.configExitCode)
        }
        // As the producers do: the shipper may start first.
        do { try Posix.makeDirectories(spool.directory, mode: 0o750) } catch {
            throw StartupError("events.spool.dir \(spool.directory) cannot be made: \(error); create it, writable by this user",
                               exitCode: 73)  // EX_CANTCREAT
        }
        guard events.hasSinks else {
            throw StartupError("\(configuration.file): no sinks are configured, so there is nothing to ship to; add events.webhooks or events.postgres",
                               exitCode: StartupError.configExitCode)
        }
    }

    static func shipOnce(_ configuration: Configuration, logger: Logger) async -> Int32 {
        guard let setup = ShipperSetup.make(configuration.events, logger: logger) else { return StartupError.configExitCode }
        logger.info("shipping what is spooled", metadata: metadata(configuration))
        let outcomes = await setup.shipper.run(.once)
        await setup.close()
        let failed = outcomes.contains(.failed)
        logger.info(failed ? "stopped; some events stay spooled" : "shipped", metadata: metadata(configuration))
        return failed ? sinkFailedExitCode : 0
    }

    static func serve(_ configuration: Configuration, logger: Logger) async -> Int32 {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup, .sigusr1)
        guard var setup = ShipperSetup.make(configuration.events, logger: logger) else { return StartupError.configExitCode }
        var current = configuration
        logger.info("starting", metadata: metadata(current))
        var running = start(setup)
        for await signal in signals {
            guard signal == .sighup || signal == .sigusr1 else { break }
            let next: Configuration
            do {
                next = try ServiceStartup.configuration(current.file, policyScript: false)
                try checkSinks(next)
            } catch {
                logger.error("reload refused; the running configuration stays in force", metadata: ["error": "\(error)"])
                continue
            }
            guard let nextSetup = ShipperSetup.make(next.events, logger: logger) else { continue }
            setup.shipper.stop()
            _ = await running.value
            await setup.close()
            setup = nextSetup
            current = next
            running = start(setup)
            logger.info("reloaded", metadata: metadata(current))
        }
        setup.shipper.stop()
        _ = await running.value
        await setup.close()
        logger.info("stopped", metadata: ["config": "\(current.file)"])
        return 0
    }

    static func start(_ setup: ShipperSetup) -> Task<[Shipper.LaneOutcome], Never> {
        Task { await setup.shipper.run() }
    }

    /// What a start-up or reload log line says about the shipper.
    public static func metadata(_ configuration: Configuration) -> Logger.Metadata {
        [
            "config": "\(configuration.file)", "spool": "\(configuration.events.spool?.directory ?? "-")",
            "sinks": "\((configuration.events.webhooks.map { "webhook-\($0.name)" } + (configuration.events.postgres == nil ? [] : ["postgres"])).joined(separator: ","))",
        ]
    }

    /// `events.metrics_listen`: /metrics and /healthz for the shipper's own process.
    static func serveMetrics(_ listen: ListenAddress, logger: Logger) {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        MetricsEndpoint.runInBackground(MetricsEndpoint.application(
            registry: registry, host: listen.host, port: listen.port, health: { nil }, logger: logger,
            onListening: { port in logger.info("metrics listening", metadata: ["listen": "\(listen.host):\(port)"]) }), logger: logger)
    }
}

import EventSpool
import Foundation
import Logging
import MetricsEndpoint
import Milter
import Synchronization
import Tracking
import TrackingRuntime

/// Runs the tracking milter: logs the start-up, serves until a stop signal, logs the stop.
public enum MilterService {
    /// Runs on `socket` until SIGTERM/SIGINT (a graceful stop); SIGHUP or SIGUSR1 reloads
    /// the configuration, policy and keys. Throws when the socket cannot be opened.
    public static func run(configuration: Configuration, socket: SocketSpec, keyring: TrackingKeyring, logger: Logger) throws {
        let journal = try openJournal(configuration, logger: logger)
        let (faults, ignoredFaults) = TestFaults.fromEnvironment()
        if !faults.isEmpty || !ignoredFaults.isEmpty {
            logger.warning("test faults are switched on; never in production", metadata: [
                "faults": "\(faults.faults.map { "\($0.kind.rawValue):\($0.match)" }.joined(separator: ","))",
                "ignored": "\(ignoredFaults.joined(separator: ","))",
            ])
        }
        let service = TrackingService(configuration: configuration, keyring: keyring, logger: logger, journal: journal, faults: faults)
        let spool = try configuration.events.makeSpoolWriter(producer: .milter, logger: logger)
        let metrics = configuration.milter.metricsListen.map { _ in MilterMetrics(spool: spool) }
        let dispatcher = MilterSetup(service: service, metrics: metrics, spool: spool).makeDispatcher()
        let listening = Atomic(false)
        if let listen = configuration.milter.metricsListen, let metrics {
            let endpoint = MetricsEndpoint.application(
                registry: metrics.registry, host: listen.host, port: listen.port,
                health: { listening.load(ordering: .relaxed) ? nil : "the milter socket is not listening" }, logger: logger,
                beforeExposition: {
                    metrics.sessionsInFlight(dispatcher.activeConnections)
                    metrics.updateSpool()
                },
                onListening: { port in logger.info("metrics listening", metadata: ["listen": "\(listen.host):\(port)"]) })
            MetricsEndpoint.runInBackground(endpoint, logger: logger)
        }
        let settings = configuration.milter
        logger.info("starting", metadata: [
            "config": "\(configuration.file)", "socket": "\(socket)",
            "recipient_mode": "\(settings.recipientMode.rawValue)", "on_error": "\(settings.onError.rawValue)",
            "header_errors": "\(settings.headerErrors.rawValue)", "policy_rules": "\(configuration.policy.rules.count)",
            "policy_script": "\(configuration.policyScript?.path ?? "none")", "spool": "\(spool?.spool.path ?? "none")", "keys": "\(keyring.keyIDs.count)", "active_key": "\(keyring.activeKey.id)",
        ])
        for (listener, options) in [("*", configuration.tracking)] + configuration.listeners.sorted(by: { $0.key < $1.key })
        where options.trackingDomain == TrackingOptions.defaultTrackingDomain && (options.openTrackingEnabled || options.clickTrackingEnabled) {
            logger.warning("tracking_domain is the default; tracked links will point at localhost", metadata: [
                "listener": "\(listener)", "tracking_domain": "\(options.trackingDomain)",
            ])
        }
        let server = MilterServer(
            socket: socket, dispatcher: dispatcher, socketMode: settings.socketMode,
            timeout: Int32(settings.timeout))
        try server.run(listening: {
            listening.store(true, ordering: .relaxed)
            logger.info("listening", metadata: ["socket": "\(socket)"])
        }, reload: {
            // Not inside `metrics?.…(…)`: optional chaining would skip the reload without metrics.
            let applied = MilterReloader.reload(service)
            metrics?.reload(applied: applied)
        })
        listening.store(false, ordering: .relaxed)
        var stopped: Logger.Metadata = ["socket": "\(socket)"]
        if let spool, spool.close() > 0 {
            stopped["events_lost"] = "\(spool.status.pendingEvents)"
            logger.critical("event spool still refuses writes at shutdown; injection events kept in memory are lost", metadata: stopped)
        }
        logger.info("stopped", metadata: stopped)
    }

    /// The crash journal the configuration names, with what the previous process left in it.
    static func openJournal(_ configuration: Configuration, logger: Logger) throws -> PoisonJournal? {
        guard let path = configuration.milter.poisonJournal else { return nil }
        let journal: PoisonJournal
        do {
            journal = try PoisonJournal(path: path, now: Int(Date().timeIntervalSince1970))
        } catch {
            throw StartupError("cannot open milter.poison_journal \(path): \(error); create its directory, writable by the milter's user",
                               exitCode: StartupError.configExitCode)
        }
        let recovery = journal.recovery
        let metadata: Logger.Metadata = [
            "journal": "\(path)", "in_flight": "\(recovery.leftover)", "crashed": "\(recovery.crashed)",
            "new_suspects": "\(recovery.newSuspects)", "suspects": "\(recovery.suspects)",
        ]
        if recovery.newSuspects > 0 {
            logger.error("the previous milter process crashed on a message; it will pass unchanged when the MTA retries it", metadata: metadata)
        } else if recovery.leftover > 0 {
            logger.warning("the previous milter process was stopped with messages in flight; the MTA retries them", metadata: metadata)
        }
        return journal
    }
}

import Logging
import Milter
import Tracking
import TrackingRuntime

/// Runs the tracking milter: logs the start-up, serves until a stop signal, logs the stop.
public enum MilterService {
    /// Runs on `socket` until SIGTERM/SIGINT/SIGHUP; SIGUSR1 reloads the configuration and
    /// keys. Throws when the socket cannot be opened.
    public static func run(configuration: Configuration, socket: SocketSpec, keyring: TrackingKeyring, logger: Logger) throws {
        let service = TrackingService(configuration: configuration, keyring: keyring, logger: logger)
        let dispatcher = MilterDispatcher(configuration: service.milterConfiguration) { connection in
            service.makeSession(connection)
        }
        let settings = configuration.milter
        logger.info("starting", metadata: [
            "config": "\(configuration.file)", "socket": "\(socket)",
            "recipient_mode": "\(settings.recipientMode.rawValue)", "on_error": "\(settings.onError.rawValue)",
            "header_errors": "\(settings.headerErrors.rawValue)", "policy_rules": "\(configuration.policy.rules.count)",
            "keys": "\(keyring.keyIDs.count)", "active_key": "\(keyring.activeKey.id)",
        ])
        for (listener, options) in [("*", configuration.tracking)] + configuration.listeners.sorted(by: { $0.key < $1.key })
        where options.trackingDomain == TrackingOptions.defaultTrackingDomain && (options.openTrackingEnabled || options.clickTrackingEnabled) {
            logger.warning("tracking_domain is the default; tracked links will point at localhost", metadata: [
                "listener": "\(listener)", "tracking_domain": "\(options.trackingDomain)",
            ])
        }
        try MilterReloader.start(service: service)
        let server = MilterServer(
            socket: socket, dispatcher: dispatcher, socketMode: settings.socketMode,
            timeout: Int32(settings.timeout))
        try server.run {
            logger.info("listening", metadata: ["socket": "\(socket)"])
        }
        logger.info("stopped", metadata: ["socket": "\(socket)"])
    }
}

import Logging
import Synchronization
import Tracking

/// What every message of a running service shares: the configuration, the keys and the
/// logger. The milter session, the `rewrite` command and the rewrite benchmark all drive
/// messages through one of these.
///
/// A reload replaces configuration and keys together, atomically: a message takes both
/// once, when it starts, so it never sees half of an old and half of a new set.
public final class TrackingService: Sendable {
    /// The configuration and keys in force, taken together.
    public struct Settings: Sendable {
        public let configuration: Configuration
        public let keyring: TrackingKeyring
    }

    public let logger: Logger
    private let current: Mutex<Settings>
    /// The crash journal, when `milter.poison_journal` names one.
    public let journal: PoisonJournal?
    /// Faults only tests switch on (`TestFaults`).
    public let faults: TestFaults

    public init(
        configuration: Configuration, keyring: TrackingKeyring, logger: Logger, journal: PoisonJournal? = nil,
        faults: TestFaults = TestFaults()
    ) {
        current = Mutex(Settings(configuration: configuration, keyring: keyring))
        self.logger = logger
        self.journal = journal
        self.faults = faults
    }

    /// The settings in force now; take them once per message.
    public var settings: Settings { current.withLock { $0 } }

    public var configuration: Configuration { settings.configuration }
    public var keyring: TrackingKeyring { settings.keyring }

    /// Puts a newly loaded configuration and key file in force for the messages that start
    /// from now on. Settings the running process cannot change (the milter's socket and its
    /// negotiation, logging) keep their old values; their keys are returned, so the reload
    /// can say that they need a restart.
    @discardableResult
    public func replace(configuration new: Configuration, keyring: TrackingKeyring) -> [String] {
        current.withLock { settings in
            let old = settings.configuration
            var next = new
            var needRestart: [String] = []
            func keep<T: Equatable>(_ key: String, _ path: WritableKeyPath<Configuration, T>) {
                if next[keyPath: path] != old[keyPath: path] { needRestart.append(key) }
                next[keyPath: path] = old[keyPath: path]
            }
            keep("milter.socket", \.milter.socket.value)
            keep("milter.socket_mode", \.milter.socketMode)
            keep("milter.timeout", \.milter.timeout)
            keep("milter.on_error", \.milter.onError)
            keep("milter.recipient_mode", \.milter.recipientMode)
            keep("milter.poison_journal", \.milter.poisonJournal)
            keep("milter.metrics_listen", \.milter.metricsListen)
            keep("tracker.metrics_listen", \.tracker.metricsListen)
            keep("tracker.idle_timeout", \.tracker.idleTimeout)
            keep("log.format", \.log.format)
            keep("log.level", \.log.level)
            keep("log.syslog", \.log.syslog)
            keep("tracker.listen", \.tracker.listen)
            keep("events.spool", \.events.spool)
            settings = Settings(configuration: next, keyring: keyring)
            return needRestart
        }
    }
}

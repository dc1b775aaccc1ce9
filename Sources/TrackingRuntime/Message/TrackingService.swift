import Logging
import Tracking

/// What every message of a running service shares: the configuration, the keys and the
/// logger. The milter session, the `rewrite` command and the rewrite benchmark all drive
/// messages through one of these.
public final class TrackingService: Sendable {
    public let configuration: Configuration
    public let logger: Logger
    /// Seals tracked URLs; the active key seals, every key opens.
    public let keyring: TrackingKeyring

    public init(configuration: Configuration, keyring: TrackingKeyring, logger: Logger) {
        self.configuration = configuration
        self.keyring = keyring
        self.logger = logger
    }
}

import Logging
import Milter
import Tracking

/// What every session of the running milter shares: the configuration and the logger.
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

    /// How the milter presents itself to the MTA.
    public var milterConfiguration: MilterConfiguration {
        MilterConfiguration(
            name: "tracking-milter",
            // Every step is a packet the MTA writes and the milter reads; the sender, client,
            // customer and listener come as macros with RCPT instead of as steps of their own.
            // End of headers stays: without it, libmilter never answered Postfix on a message
            // that has no header fields at all (Postfix then waits out its content timeout).
            steps: [.envelopeRecipient, .header, .endOfHeaders, .body],
            // Only RCPT may answer early (split mode's 452); the verdict on the header comes at end of message.
            replyingSteps: configuration.milter.recipientMode == .split ? [.envelopeRecipient] : [],
            actions: [.changeHeaders, .changeBody],
            macros: ["i", "{daemon_name}", "{auth_authen}", "{client_addr}", "{mail_addr}", "{rcpt_addr}"],
            requestedMacros: [
                .envelopeRecipient: ["i", "{rcpt_addr}", "{mail_addr}", "{auth_authen}", "{daemon_name}", "{client_addr}"],
                .data: ["i"],
                .endOfMessage: ["i"],
            ],
            failureReply: configuration.milter.onError,
            logger: logger
        )
    }

    public func makeSession(_ connection: MilterConnection) -> TrackingSession {
        TrackingSession(connection: connection, service: self)
    }
}

import Logging
import Milter
import Tracking

/// What every session of the running milter shares: the configuration and the logger.
public final class TrackingService: Sendable {
    public let configuration: Configuration
    public let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// How the milter presents itself to the MTA.
    public var milterConfiguration: MilterConfiguration {
        MilterConfiguration(
            name: "tracking-milter",
            steps: [.connect, .envelopeFrom, .envelopeRecipient, .header, .body],
            // Only RCPT may answer early (split mode's 452); the verdict on the header comes at end of message.
            replyingSteps: configuration.milter.recipientMode == .split ? [.envelopeRecipient] : [],
            actions: [.changeHeaders, .changeBody],
            macros: ["i", "{daemon_name}", "{auth_authen}", "{client_addr}", "{mail_addr}", "{rcpt_addr}"],
            requestedMacros: [
                .connect: ["j", "{daemon_name}", "{client_addr}"],
                .envelopeFrom: ["i", "{auth_authen}", "{mail_addr}"],
                .envelopeRecipient: ["i", "{rcpt_addr}"],
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

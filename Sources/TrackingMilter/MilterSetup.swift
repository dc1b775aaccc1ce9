import EventSpool
import Milter
import TrackingRuntime

/// The tracking milter as libmilter sees it: its negotiation and one session per MTA
/// connection, over the service every message shares, with its metrics when they are served.
public struct MilterSetup: Sendable {
    public let service: TrackingService
    public let metrics: MilterMetrics?
    /// Where sessions append injection events; nil when `events.spool` is off.
    public let spool: SpoolWriter?

    public init(service: TrackingService, metrics: MilterMetrics? = nil, spool: SpoolWriter? = nil) {
        self.service = service
        self.metrics = metrics
        self.spool = spool
    }

    /// The dispatcher libmilter's callbacks go to.
    public func makeDispatcher() -> MilterDispatcher {
        MilterDispatcher(configuration: configuration) { connection in makeSession(connection) }
    }

    /// How the milter presents itself to the MTA.
    public var configuration: MilterConfiguration {
        let configuration = service.configuration
        let metrics = metrics
        return MilterConfiguration(
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
            failureReply: configuration.milter.onError.failureReply,
            logger: service.logger,
            onStepFailure: { _ in metrics?.stepFailed() }
        )
    }

    public func makeSession(_ connection: MilterConnection) -> TrackingSession {
        TrackingSession(connection: connection, service: service, metrics: metrics, spool: spool)
    }
}

extension OnError {
    /// The Milter library's reply for a failed session step.
    var failureReply: FailureReply {
        switch self {
        case .accept: .accept
        case .tempfail: .tempfail
        }
    }
}

extension MilterSettings {
    /// The configured socket, parsed; a bad one is an error at its line in the file.
    public func socketSpec(configFile: String) throws(ConfigError) -> SocketSpec {
        try socket.parsed(in: configFile, key: "milter.socket") { try SocketSpec(parsing: $0) }
    }
}

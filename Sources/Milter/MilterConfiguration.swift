import Logging

/// What a milter tells the MTA about itself, and how failures are answered.
public struct MilterConfiguration: Sendable {
    /// The filter's name, as the MTA logs it.
    public var name: String
    /// The steps the session implements. Others are negotiated away (`SMFIP_NO*`) so the
    /// MTA does not send them — except DATA, which is always answered: an unanswered
    /// DATA macro packet stalls TCP connections on Nagle and delayed ACKs.
    public var steps: MilterSteps
    /// The steps at which the session may answer something other than `.continue`.
    /// The rest are negotiated as "no reply" (`SMFIP_NR_*`) where the MTA offers it,
    /// which saves a round trip per step. A non-`.continue` answer at a no-reply step is
    /// kept and given at the next step that replies (at the latest, end of message).
    public var replyingSteps: MilterSteps
    /// The modifications the session may make at end of message.
    public var actions: MilterActions
    /// Macros the session reads; copied into `MilterConnection.macros` as they arrive.
    public var macros: [String]
    /// Macros to ask the MTA for per stage (`smfi_setsymlist`), when it supports that.
    public var requestedMacros: [MacroStage: [String]]
    /// Ask for header values with their leading white space (`SMFIP_HDR_LEADSPC`), so a
    /// header can be reproduced exactly.
    public var headerLeadingSpace: Bool
    /// The answer given when a session method throws.
    public var failureReply: FailureReply
    /// Where the library reports failures of sessions.
    public var logger: Logger
    /// Called with the step's name whenever a session step throws (for metrics).
    public var onStepFailure: @Sendable (String) -> Void

    public init(
        name: String,
        steps: MilterSteps,
        replyingSteps: MilterSteps = [],
        actions: MilterActions = [],
        macros: [String] = Macros.commonNames,
        requestedMacros: [MacroStage: [String]] = [:],
        headerLeadingSpace: Bool = false,
        failureReply: FailureReply = .accept,
        logger: Logger = Logger(label: "milter"),
        onStepFailure: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.name = name
        self.steps = steps
        self.replyingSteps = replyingSteps
        self.actions = actions
        self.macros = macros
        self.requestedMacros = requestedMacros
        self.headerLeadingSpace = headerLeadingSpace
        self.failureReply = failureReply
        self.logger = logger
        self.onStepFailure = onStepFailure
    }
}

/// How a failed session step is answered.
public enum FailureReply: String, Sendable, CaseIterable {
    /// Let the message through unchanged: mail is never lost for a milter bug.
    case accept
    /// Ask the client to try again later (`451 4.3.0`).
    case tempfail

    /// The reply a failed step gets; a session that handles a failure itself answers with it too.
    public var reply: Reply {
        switch self {
        case .accept: return .accept
        case .tempfail:
            return .tempfail(try? SMTPReply(code: "451", enhancedCode: "4.3.0", text: "Temporary milter failure, try again later"))
        }
    }
}

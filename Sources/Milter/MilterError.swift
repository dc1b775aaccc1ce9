/// Errors the milter library reports to its caller.
public enum MilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An `SMTPReply` that the MTA could not send as given.
    case invalidReply(String)
    /// A modification was attempted outside `endOfMessage`; libmilter only allows them there.
    case notAtEndOfMessage(action: String)
    /// A modification whose action was not negotiated with the MTA.
    case actionNotNegotiated(action: String)
    /// A header change after the body replacement started: MTAs reject that sequence.
    case headerChangeAfterBody(action: String)
    /// libmilter answered `MI_FAILURE` to a call.
    case libmilterFailed(call: String)
    /// An argument the MTA cannot take (an empty header name, a NUL byte, ...).
    case invalidArgument(String)
    /// The socket specification could not be understood.
    case invalidSocket(String)
    /// The listening socket could not be opened.
    case cannotOpenSocket(spec: String, reason: String)
    /// `smfi_main` or registration failed.
    case serverFailed(String)

    public var description: String {
        switch self {
        case .invalidReply(let why): return "invalid SMTP reply: \(why)"
        case .notAtEndOfMessage(let action): return "\(action) is only allowed at end of message"
        case .actionNotNegotiated(let action):
            return "\(action) was not negotiated with the MTA: add it to the milter's actions"
        case .headerChangeAfterBody(let action):
            return "\(action) after the body replacement started: change headers before replacing the body"
        case .libmilterFailed(let call): return "libmilter refused \(call)"
        case .invalidArgument(let why): return "invalid argument: \(why)"
        case .invalidSocket(let why): return "invalid socket: \(why)"
        case .cannotOpenSocket(let spec, let reason): return "cannot open milter socket \(spec): \(reason)"
        case .serverFailed(let why): return "milter server failed: \(why)"
        }
    }
}

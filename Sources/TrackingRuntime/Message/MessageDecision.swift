import PolicyScript
import Tracking

/// What end of message does with a message: the part that needs no milter and no I/O,
/// so the milter session and the offline `rewrite` command share it.
public enum MessageDecision: Sendable {
    /// Bad X-MSYS-API data and `header_errors = reject`.
    case reject(APIHeaderError)
    /// The policy script failed or overran its budget: `on_error` decides.
    case scriptFailed(PolicyScriptError)
    /// Go on: the parsed header (if any), a header error that was ignored, and the
    /// settings per recipient.
    case proceed(Proceed)

    public struct Proceed: Sendable {
        public var header: APIHeader?
        public var ignoredHeaderError: APIHeaderError?
        public var recipients: [(address: String, tracking: ResolvedTracking)]
    }

    /// - Parameter headers: the message's top-level header fields, which a policy script may read.
    public static func decide(_ envelope: MessageEnvelope, headers: [HeaderField] = [], configuration: Configuration)
        -> MessageDecision
    {
        var header: APIHeader? = nil
        var ignored: APIHeaderError? = nil
        do throws(APIHeaderError) {
            if envelope.apiHeaderNotUTF8 { throw APIHeaderError(.invalidJSON(reason: "not valid UTF-8")) }
            header = try APIHeader.parse(envelope.apiHeaderValues)
        } catch {
            switch configuration.milter.headerErrors {
            case .reject: return .reject(error)
            case .ignore: ignored = error
            }
        }
        let options = configuration.trackingOptions(listener: envelope.listener)
        // One evaluation covers both modes: split mode has one recipient, and a shared body
        // is resolved for all of its recipients together.
        var policy = configuration.policy.evaluate(envelope.policyContext)
        if let script = configuration.policyScript {
            do { policy = try script.evaluate(envelope.policyScriptInput(headers: headers), over: policy) } catch {
                return .scriptFailed(error)
            }
        }
        let tracking = ResolvedTracking.resolve(options: options, header: header, policy: policy, customerID: envelope.customerID)
        return .proceed(Proceed(
            header: header, ignoredHeaderError: ignored,
            recipients: envelope.recipients.map { ($0, tracking) }))
    }
}

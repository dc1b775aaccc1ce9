import Tracking

/// What end of message does with a message: the part that needs no milter and no I/O,
/// so the milter session and the offline `rewrite` command share it.
public enum MessageDecision: Sendable {
    /// Bad X-MSYS-API data and `header_errors = reject`.
    case reject(APIHeaderError)
    /// Go on: the parsed header (if any), a header error that was ignored, and the
    /// settings per recipient.
    case proceed(Proceed)

    public struct Proceed: Sendable {
        public var header: APIHeader?
        public var ignoredHeaderError: APIHeaderError?
        public var recipients: [(address: String, tracking: ResolvedTracking)]
    }

    public static func decide(_ envelope: MessageEnvelope, configuration: Configuration) -> MessageDecision {
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
        let policy = configuration.policy.evaluate(envelope.policyContext)
        let tracking = ResolvedTracking.resolve(options: options, header: header, policy: policy, customerID: envelope.customerID)
        return .proceed(Proceed(
            header: header, ignoredHeaderError: ignored,
            recipients: envelope.recipients.map { ($0, tracking) }))
    }
}

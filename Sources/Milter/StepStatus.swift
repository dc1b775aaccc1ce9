import CMilter

/// What the dispatcher answers libmilter at one step, after the session's `Reply` was
/// applied (a reply text set, a no-reply step deferred). The C callbacks turn it into
/// libmilter's `sfsistat`; nothing else sees the raw numbers.
package enum StepStatus: Sendable, Equatable {
    case `continue`, reject, discard, accept, tempfail, skip
    /// The step was negotiated as "no reply": the MTA expects no answer.
    case noReply

    /// libmilter's value.
    var sfsistat: Int32 {
        switch self {
        case .continue: SMFIS_CONTINUE
        case .reject: SMFIS_REJECT
        case .discard: SMFIS_DISCARD
        case .accept: SMFIS_ACCEPT
        case .tempfail: SMFIS_TEMPFAIL
        case .skip: SMFIS_SKIP
        case .noReply: SMFIS_NOREPLY
        }
    }
}

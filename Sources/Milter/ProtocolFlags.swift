import CMilter

/// The `SMFIP_*` protocol bits and how a configuration maps onto them.
enum ProtocolFlags {
    /// Bits that tell the MTA not to send a step at all.
    static let omit: [(MilterSteps, UInt)] = [
        (.connect, UInt(SMFIP_NOCONNECT)), (.helo, UInt(SMFIP_NOHELO)), (.envelopeFrom, UInt(SMFIP_NOMAIL)),
        (.envelopeRecipient, UInt(SMFIP_NORCPT)), (.body, UInt(SMFIP_NOBODY)), (.header, UInt(SMFIP_NOHDRS)),
        (.endOfHeaders, UInt(SMFIP_NOEOH)), (.unknown, UInt(SMFIP_NOUNKNOWN)),
    ]
    /// Bits that tell the MTA not to wait for an answer at a step.
    static let noReply: [(MilterSteps, UInt)] = [
        (.connect, UInt(SMFIP_NR_CONN)), (.helo, UInt(SMFIP_NR_HELO)), (.envelopeFrom, UInt(SMFIP_NR_MAIL)),
        (.envelopeRecipient, UInt(SMFIP_NR_RCPT)), (.header, UInt(SMFIP_NR_HDR)), (.endOfHeaders, UInt(SMFIP_NR_EOH)),
        (.body, UInt(SMFIP_NR_BODY)), (.unknown, UInt(SMFIP_NR_UNKN)),
    ]
    static let skip = UInt(SMFIP_SKIP)
    static let headerLeadingSpace = UInt(SMFIP_HDR_LEADSPC)

    /// The protocol bits to ask for, given what the MTA offers.
    ///
    /// DATA is never omitted nor made "no reply": Postfix sends the DATA macros either
    /// way, and an unanswered packet on TCP waits for a delayed ACK (40 ms a message).
    static func requested(for configuration: MilterConfiguration, offered: UInt) -> UInt {
        var bits: UInt = 0
        for (step, bit) in omit where !configuration.steps.contains(step) && offered & bit != 0 {
            bits |= bit
        }
        for (step, bit) in noReply where offered & bit != 0 && bits & omitBit(step) == 0 {
            if !configuration.replyingSteps.contains(step) { bits |= bit }
        }
        if offered & skip != 0 { bits |= skip }
        if configuration.headerLeadingSpace && offered & headerLeadingSpace != 0 { bits |= headerLeadingSpace }
        return bits
    }

    /// Whether `step` was negotiated as "no reply".
    static func isNoReply(_ step: MilterSteps, in negotiated: UInt) -> Bool {
        guard let bit = noReply.first(where: { $0.0 == step })?.1 else { return false }
        return negotiated & bit != 0
    }

    private static func omitBit(_ step: MilterSteps) -> UInt {
        omit.first(where: { $0.0 == step })?.1 ?? 0
    }
}

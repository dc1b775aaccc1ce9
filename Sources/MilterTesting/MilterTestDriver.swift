import CMilter
import Milter

/// What the milter answered at one step, as the MTA sees it.
public enum StepResult: Equatable, Sendable {
    case `continue`, reject, discard, accept, tempfail, noReply, skip
    /// The step was negotiated away, so the MTA did not send it.
    case notSent

    init(_ status: StepStatus) {
        switch status {
        case .continue: self = .continue
        case .reject: self = .reject
        case .discard: self = .discard
        case .accept: self = .accept
        case .tempfail: self = .tempfail
        case .noReply: self = .noReply
        case .skip: self = .skip
        }
    }

    /// Whether the MTA goes on with the conversation after this answer.
    public var goesOn: Bool { self == .continue || self == .noReply || self == .notSent || self == .skip }
}

/// A scripted fake MTA that drives a `MilterDispatcher` through one connection, as
/// Postfix or Sendmail would: negotiation, the SMTP steps with their macros, end of
/// message and close. It skips steps the milter negotiated away, and records a violation
/// when the milter answers at a "no reply" step or stays silent at one that needs an answer.
public final class MilterTestDriver {
    public let dispatcher: MilterDispatcher
    public let context = TestMilterContext()
    /// Protocol bits the fake MTA offers (default: everything Postfix 3.x offers).
    public var offeredProtocol: UInt
    /// Actions the fake MTA offers.
    public var offeredActions: UInt
    public private(set) var negotiatedProtocol: UInt = 0
    /// Rule breaks the driver saw, besides the context's own.
    public private(set) var violations: [String] = []

    public init(dispatcher: MilterDispatcher) {
        self.dispatcher = dispatcher
        offeredProtocol = UInt(
            SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL | SMFIP_NORCPT | SMFIP_NOBODY | SMFIP_NOHDRS
                | SMFIP_NOEOH | SMFIP_NR_HDR | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_SKIP | SMFIP_RCPT_REJ
                | SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_UNKN
                | SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_HDR_LEADSPC)
        offeredActions = UInt(
            SMFIF_ADDHDRS | SMFIF_CHGBODY | SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_CHGHDRS | SMFIF_QUARANTINE
                | SMFIF_CHGFROM | SMFIF_ADDRCPT_PAR | SMFIF_SETSYMLIST)
    }

    /// Every rule break seen so far, by the driver or the context.
    public var allViolations: [String] { violations + context.violations }

    @discardableResult
    public func negotiate() -> (actions: MilterActions, protocol: UInt) {
        context.enter(.negotiate)
        let (actions, proto) = dispatcher.negotiate(context, offeredActions: offeredActions, offeredProtocol: offeredProtocol)
        if actions & ~offeredActions != 0 { violations.append("asked for actions the MTA did not offer") }
        if proto & ~offeredProtocol != 0 { violations.append("asked for protocol bits the MTA did not offer") }
        negotiatedProtocol = proto
        context.grant(MilterActions(rawValue: actions))
        return (MilterActions(rawValue: actions), proto)
    }

    @discardableResult
    public func connect(hostname: String = "client.test", address: ClientAddress? = .ipv4("192.0.2.1", port: 40000),
                        macros: [String: String] = [:]) -> StepResult {
        context.define(macros, at: .connect)
        return run(.connect, omit: SMFIP_NOCONNECT, noReply: SMFIP_NR_CONN) {
            dispatcher.connect(context, hostname: hostname, address: address)
        }
    }

    @discardableResult
    public func helo(_ name: String = "client.test", macros: [String: String] = [:]) -> StepResult {
        context.define(macros, at: .helo)
        return run(.helo, omit: SMFIP_NOHELO, noReply: SMFIP_NR_HELO) { dispatcher.helo(context, name: name) }
    }

    @discardableResult
    public func mail(from address: String, parameters: [String] = [], macros: [String: String] = [:]) -> StepResult {
        context.clearMessageMacros()
        context.define(macros, at: .envelopeFrom)
        return run(.envelopeFrom, omit: SMFIP_NOMAIL, noReply: SMFIP_NR_MAIL) {
            dispatcher.envelopeFrom(context, arguments: [address] + parameters)
        }
    }

    @discardableResult
    public func rcpt(to address: String, parameters: [String] = [], macros: [String: String] = [:]) -> StepResult {
        context.define(macros, at: .envelopeRecipient)
        return run(.envelopeRecipient, omit: SMFIP_NORCPT, noReply: SMFIP_NR_RCPT) {
            dispatcher.envelopeRecipient(context, arguments: [address] + parameters)
        }
    }

    @discardableResult
    public func data(macros: [String: String] = [:]) -> StepResult {
        context.define(macros, at: .data)
        return run(.data, omit: SMFIP_NODATA, noReply: SMFIP_NR_DATA) { dispatcher.data(context) }
    }

    @discardableResult
    public func header(_ name: String, _ value: String) -> StepResult {
        header(name, bytes: Array(value.utf8))
    }

    /// A header whose value is given as bytes (8-bit or invalid UTF-8 included).
    @discardableResult
    public func header(_ name: String, bytes value: [UInt8]) -> StepResult {
        run(.header, omit: SMFIP_NOHDRS, noReply: SMFIP_NR_HDR) { dispatcher.header(context, name: name, value: value) }
    }

    @discardableResult
    public func endOfHeaders(macros: [String: String] = [:]) -> StepResult {
        context.define(macros, at: .endOfHeaders)
        return run(.endOfHeaders, omit: SMFIP_NOEOH, noReply: SMFIP_NR_EOH) { dispatcher.endOfHeaders(context) }
    }

    @discardableResult
    public func body(_ bytes: [UInt8]) -> StepResult {
        run(.body, omit: SMFIP_NOBODY, noReply: SMFIP_NR_BODY) {
            bytes.withUnsafeBytes { dispatcher.body(context, chunk: $0) }
        }
    }

    @discardableResult
    public func unknown(_ command: String) -> StepResult {
        run(.unknown, omit: SMFIP_NOUNKNOWN, noReply: SMFIP_NR_UNKN) { dispatcher.unknown(context, command: command) }
    }

    /// End of message; clears earlier modification records first so they describe this message.
    @discardableResult
    public func endOfMessage(macros: [String: String] = [:]) -> StepResult {
        context.clearCalls()
        context.define(macros, at: .endOfMessage)
        context.enter(.endOfMessage)
        defer { context.enter(.idle) }
        let result = StepResult(dispatcher.endOfMessage(context))
        if result == .noReply { violations.append("no answer at end of message") }
        return result
    }

    public func abort() {
        context.enter(.abort)
        _ = dispatcher.abort(context)
        context.enter(.idle)
    }

    public func close() {
        context.enter(.close)
        _ = dispatcher.close(context)
        context.enter(.idle)
    }

    /// Sends one whole message after MAIL: recipients, DATA, headers, body in `chunkSize`
    /// pieces and end of message. Stops at the first answer that ends the message.
    /// `mailParameters` are MAIL FROM's ESMTP parameters (`SIZE=1234`).
    @discardableResult
    public func sendMessage(
        from sender: String, to recipients: [String], headers: [(String, String)], body: [UInt8],
        chunkSize: Int = 65535, macros: [MacroStage: [String: String]] = [:], mailParameters: [String] = []
    ) -> StepResult {
        var r = mail(from: sender, parameters: mailParameters, macros: macros[.envelopeFrom] ?? [:])
        guard r.goesOn else { return r }
        for recipient in recipients {
            r = rcpt(to: recipient, macros: macros[.envelopeRecipient] ?? [:])
            guard r.goesOn else { return r }
        }
        r = data(macros: macros[.data] ?? [:])
        guard r.goesOn else { return r }
        for (name, value) in headers {
            r = header(name, value)
            guard r.goesOn else { return r }
        }
        r = endOfHeaders(macros: macros[.endOfHeaders] ?? [:])
        guard r.goesOn else { return r }
        var offset = 0
        while offset < body.count {
            let end = min(offset + chunkSize, body.count)
            r = self.body(Array(body[offset..<end]))
            offset = end
            if r == .skip { break }
            guard r.goesOn else { return r }
        }
        return endOfMessage(macros: macros[.endOfMessage] ?? [:])
    }

    private func run(_ phase: TestMilterContext.Phase, omit: Int, noReply: Int, _ call: () -> StepStatus) -> StepResult {
        if negotiatedProtocol & UInt(omit) != 0 { return .notSent }
        context.enter(phase)
        defer { context.enter(.idle) }
        let result = StepResult(call())
        let isNoReply = negotiatedProtocol & UInt(noReply) != 0
        if isNoReply && result != .noReply { violations.append("answered \(result) at no-reply step \(phase)") }
        if !isNoReply && result == .noReply { violations.append("no answer at step \(phase)") }
        return result
    }
}

import Milter

/// A stand-in for libmilter's `SMFICTX` that records what a milter asks for and enforces
/// libmilter's rules, so a session can be tested without an MTA (compare pymilter's TestCtx).
///
/// A call that breaks a rule answers failure, as libmilter would, and is listed in
/// `violations` so a test can assert there were none.
public final class TestMilterContext: MilterContext {
    /// One call the milter made.
    public enum Call: Equatable, Sendable {
        case setReply(SMTPReply)
        case addHeader(name: String, value: String)
        case insertHeader(index: Int, name: String, value: String)
        case changeHeader(name: String, index: Int, value: String?)
        case replaceBody([UInt8])
        case addRecipient(String, parameters: String?)
        case deleteRecipient(String)
        case changeSender(String, parameters: String?)
        case quarantine(String)
        case progress
        case setMacroList(String, MacroStage)
    }

    /// Where the conversation is; modifications are legal only at `.endOfMessage`.
    public enum Phase: Sendable, Equatable {
        case negotiate, connect, helo, envelopeFrom, envelopeRecipient, data, header, endOfHeaders, body
        case endOfMessage, abort, close, unknown, idle
    }

    public internal(set) var calls: [Call] = []
    public internal(set) var violations: [String] = []
    public internal(set) var phase: Phase = .idle
    /// The actions the fake MTA granted at negotiation.
    public internal(set) var grantedActions: MilterActions = []
    public var privateData: UnsafeMutableRawPointer?
    /// When set, `smfi_replacebody` fails once this many pieces went through, as it does
    /// when the MTA's connection breaks mid-body.
    public var replaceBodyFailsAfter: Int?

    private var stageMacros: [MacroStage: [String: String]] = [:]
    private var bodyStarted = false

    public init() {}

    /// The concatenated new body sent at the last end of message, or nil if it was not replaced.
    public var replacedBody: [UInt8]? {
        var body: [UInt8]? = nil
        for case .replaceBody(let piece) in calls { body = (body ?? []) + piece }
        return body
    }

    /// The reply text set for the last reject or tempfail.
    public var lastReply: SMTPReply? {
        calls.reversed().lazy.compactMap { if case .setReply(let r) = $0 { return r } else { return nil } }.first
    }

    /// Makes `macros` visible from `stage` on, as the MTA's macro packet would.
    func define(_ macros: [String: String], at stage: MacroStage) {
        stageMacros[stage, default: [:]].merge(macros) { _, new in new }
    }

    /// Forgets the macros of the message stages, as libmilter does at a new MAIL
    /// (tests call it to show a session kept its own copy).
    public func clearMessageMacros() {
        for stage in [MacroStage.envelopeFrom, .envelopeRecipient, .data, .endOfHeaders, .endOfMessage] {
            stageMacros[stage] = nil
        }
    }

    func enter(_ phase: Phase) {
        self.phase = phase
        if phase == .endOfMessage { bodyStarted = false }
    }

    func grant(_ actions: MilterActions) { grantedActions = actions }

    /// Drops recorded calls (not violations), for a test that looks at one message.
    public func clearCalls() { calls.removeAll() }

    // MARK: MilterContext

    public func symbolValue(_ name: String) -> String? {
        for stage in MacroStage.allCases.sorted(by: { order($0) > order($1) }) {
            if let value = stageMacros[stage]?[name] { return value }
        }
        return nil
    }

    public func setReply(_ reply: SMTPReply) -> Bool {
        calls.append(.setReply(reply))
        return true
    }

    public func addHeader(name: String, value: String) -> Bool {
        modify(.addHeader(name: name, value: value), needs: .addHeaders, isHeader: true)
    }

    public func insertHeader(at index: Int, name: String, value: String) -> Bool {
        modify(.insertHeader(index: index, name: name, value: value), needs: .addHeaders, isHeader: true)
    }

    public func changeHeader(name: String, index: Int, value: String?) -> Bool {
        modify(.changeHeader(name: name, index: index, value: value), needs: .changeHeaders, isHeader: true)
    }

    public func replaceBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if let limit = replaceBodyFailsAfter {
            let sent = calls.count { if case .replaceBody = $0 { true } else { false } }
            if sent >= limit { return false }
        }
        let ok = modify(.replaceBody(Array(chunk)), needs: .changeBody, isHeader: false)
        if ok { bodyStarted = true }
        return ok
    }

    public func addRecipient(_ address: String, parameters: String?) -> Bool {
        modify(.addRecipient(address, parameters: parameters),
               needs: parameters == nil ? .addRecipients : .addRecipientsWithParameters, isHeader: false)
    }

    public func deleteRecipient(_ address: String) -> Bool {
        modify(.deleteRecipient(address), needs: .deleteRecipients, isHeader: false)
    }

    public func changeSender(_ address: String, parameters: String?) -> Bool {
        modify(.changeSender(address, parameters: parameters), needs: .changeSender, isHeader: false)
    }

    public func quarantine(reason: String) -> Bool {
        modify(.quarantine(reason), needs: .quarantine, isHeader: false)
    }

    public func progress() -> Bool {
        guard phase == .endOfMessage else {
            violations.append("smfi_progress outside end of message (at \(phase))")
            return false
        }
        calls.append(.progress)
        return true
    }

    public func setMacroList(_ macros: String, at stage: MacroStage) -> Bool {
        guard phase == .negotiate else {
            violations.append("smfi_setsymlist outside negotiation (at \(phase))")
            return false
        }
        calls.append(.setMacroList(macros, stage))
        return true
    }

    private func modify(_ call: Call, needs action: MilterActions, isHeader: Bool) -> Bool {
        guard phase == .endOfMessage else {
            violations.append("\(call) outside end of message (at \(phase))")
            return false
        }
        guard grantedActions.contains(action) else {
            violations.append("\(call) without the negotiated action \(action.rawValue)")
            return false
        }
        if isHeader && bodyStarted {
            violations.append("\(call) between body replacement pieces")
            return false
        }
        calls.append(call)
        return true
    }

    private func order(_ stage: MacroStage) -> Int {
        switch stage {
        case .connect: return 0
        case .helo: return 1
        case .envelopeFrom: return 2
        case .envelopeRecipient: return 3
        case .data: return 4
        case .endOfHeaders: return 5
        case .endOfMessage: return 6
        }
    }
}

import Logging
import Synchronization

/// Routes libmilter's callbacks for every connection to that connection's session.
///
/// It owns the rules that hold for any milter: one session per connection created on
/// first use and released once at close, message state reset at MAIL / end of message /
/// abort, macros copied as they arrive, errors turned into the configured failure reply,
/// and answers at "no reply" steps deferred to the next step that replies.
/// It is generic over the context so the same code runs on libmilter and in tests.
public final class MilterDispatcher: Sendable {
    public let configuration: MilterConfiguration
    private let makeSession: @Sendable (MilterConnection) -> any MilterSession
    private let openConnections = Atomic<Int>(0)
    private let openMessages = Atomic<Int>(0)
    private let draining = Atomic(false)

    public init(
        configuration: MilterConfiguration,
        makeSession: @escaping @Sendable (MilterConnection) -> any MilterSession
    ) {
        self.configuration = configuration
        self.makeSession = makeSession
    }

    /// Connections whose session has not been closed yet.
    public var activeConnections: Int { openConnections.load(ordering: .acquiring) }

    /// Transactions begun before a drain and not yet ended (end of message, abort, close).
    public var messagesInFlight: Int { openMessages.load(ordering: .acquiring) }

    /// From now on a new transaction is refused with a 4xx at its first step (the client
    /// retries), while the transactions in flight go on to their end: the graceful stop.
    package func beginDraining() { draining.store(true, ordering: .releasing) }

    /// The reply to a transaction that begins while the milter stops.
    static let stoppingReply = try? SMTPReply(code: "451", enhancedCode: "4.3.2", text: "Mail filter restarting, try again later")

    // MARK: - Steps

    /// `xxfi_negotiate`: returns the actions and protocol bits to ask for.
    package func negotiate(_ ctx: some MilterContext, offeredActions: UInt, offeredProtocol: UInt)
        -> (actions: UInt, protocol: UInt)
    {
        let state = self.state(ctx)
        var actions = configuration.actions.rawValue & offeredActions
        let wantsMacroList = !configuration.requestedMacros.isEmpty
            && offeredActions & MilterActions.setMacroList.rawValue != 0
        if wantsMacroList { actions |= MilterActions.setMacroList.rawValue }
        let proto = ProtocolFlags.requested(for: configuration, offered: offeredProtocol)
        state.connection.negotiatedActions = MilterActions(rawValue: actions)
        state.connection.negotiatedProtocol = proto
        if wantsMacroList {
            for (stage, names) in configuration.requestedMacros.sorted(by: { $0.key.rawValue < $1.key.rawValue })
            where !ctx.setMacroList(names.joined(separator: " "), at: stage) {
                configuration.logger.warning("MTA refused the macro list", metadata: ["stage": "\(stage)"])
            }
        }
        let missing = configuration.actions.subtracting(MilterActions(rawValue: actions))
        if !missing.isEmpty {
            configuration.logger.warning(
                "MTA did not grant all actions; those modifications will fail",
                metadata: ["missing": "\(missing.rawValue)"])
        }
        return (actions, proto)
    }

    package func connect(_ ctx: some MilterContext, hostname: String, address: ClientAddress?) -> StepStatus {
        step(ctx, .connect, macros: .connect) { try $0.connect(hostname: hostname, address: address) }
    }

    package func helo(_ ctx: some MilterContext, name: String) -> StepStatus {
        step(ctx, .helo, macros: .helo) { try $0.helo(name) }
    }

    package func envelopeFrom(_ ctx: some MilterContext, arguments: [String]) -> StepStatus {
        let state = self.state(ctx)
        state.connection.macros.resetMessage()
        state.session.resetMessage()
        return step(ctx, .envelopeFrom, macros: .envelopeFrom) { try $0.envelopeFrom(arguments) }
    }

    package func envelopeRecipient(_ ctx: some MilterContext, arguments: [String]) -> StepStatus {
        step(ctx, .envelopeRecipient, macros: .envelopeRecipient) { try $0.envelopeRecipient(arguments) }
    }

    package func data(_ ctx: some MilterContext) -> StepStatus {
        step(ctx, .data, macros: .data) { try $0.data() }
    }

    package func header(_ ctx: some MilterContext, name: String, value: [UInt8]) -> StepStatus {
        step(ctx, .header, macros: nil) { try $0.header(name: name, value: value) }
    }

    package func endOfHeaders(_ ctx: some MilterContext) -> StepStatus {
        step(ctx, .endOfHeaders, macros: .endOfHeaders) { try $0.endOfHeaders() }
    }

    package func body(_ ctx: some MilterContext, chunk: UnsafeRawBufferPointer) -> StepStatus {
        step(ctx, .body, macros: nil) { try $0.body(chunk) }
    }

    package func unknown(_ ctx: some MilterContext, command: String) -> StepStatus {
        step(ctx, .unknown, macros: nil) { try $0.unknown(command) }
    }

    /// `xxfi_eom`: always answers; a verdict deferred from a no-reply step is given here.
    package func endOfMessage(_ ctx: some MilterContext) -> StepStatus {
        let state = self.state(ctx)
        copyMacros(ctx, state, .endOfMessage)
        defer {
            state.pending = nil
            state.session.resetMessage()
            state.connection.macros.resetMessage()
            endTransaction(state)
        }
        if let pending = state.pending { return answer(pending, ctx, step: nil) }
        let modifier = MessageModifier(context: ctx, actions: state.connection.negotiatedActions)
        defer { modifier.invalidate() }
        let reply: Reply
        do {
            reply = try state.session.endOfMessage(modifier)
        } catch {
            reply = failed(error, step: "end-of-message", state)
        }
        return answer(reply, ctx, step: nil)
    }

    package func abort(_ ctx: some MilterContext) -> StepStatus {
        let state = self.state(ctx)
        state.session.abort()
        state.pending = nil
        state.session.resetMessage()
        state.connection.macros.resetMessage()
        endTransaction(state)
        return .continue
    }

    /// `xxfi_close`: releases the session, creating it first if close is the only call.
    package func close(_ ctx: some MilterContext) -> StepStatus {
        let state = self.state(ctx)
        ctx.privateData = nil
        endTransaction(state)
        state.session.close()
        Unmanaged.passUnretained(state).release()
        openConnections.subtract(1, ordering: .releasing)
        return .continue
    }

    // MARK: - Machinery

    private func state(_ ctx: some MilterContext) -> ConnectionState {
        if let raw = ctx.privateData {
            return Unmanaged<ConnectionState>.fromOpaque(raw).takeUnretainedValue()
        }
        let connection = MilterConnection()
        let state = ConnectionState(connection: connection, session: makeSession(connection))
        ctx.privateData = Unmanaged.passRetained(state).toOpaque()
        openConnections.add(1, ordering: .relaxed)
        return state
    }

    private func step(
        _ ctx: some MilterContext, _ step: MilterSteps, macros stage: MacroStage?,
        _ call: (any MilterSession) throws -> Reply
    ) -> StepStatus {
        let state = self.state(ctx)
        if let stage { copyMacros(ctx, state, stage) }
        if step != .connect && step != .helo && step != .unknown && state.transaction == .none {
            if draining.load(ordering: .acquiring) {
                state.transaction = .refused
                state.pending = .tempfail(Self.stoppingReply)
            } else {
                state.transaction = .counted
                openMessages.add(1, ordering: .relaxed)
            }
        }
        let noReply = ProtocolFlags.isNoReply(step, in: state.connection.negotiatedProtocol)
        if !noReply, let pending = state.pending {
            state.pending = nil
            return answer(pending, ctx, step: step)
        }
        if state.pending != nil { return .noReply }
        let reply: Reply
        do {
            reply = try call(state.session)
        } catch {
            reply = failed(error, step: "\(step.name)", state)
        }
        guard noReply else { return answer(reply, ctx, step: step) }
        switch reply {
        case .continue, .skip: break
        default: state.pending = reply
        }
        return .noReply
    }

    private func endTransaction(_ state: ConnectionState) {
        if state.transaction == .counted { openMessages.subtract(1, ordering: .releasing) }
        state.transaction = .none
    }

    private func copyMacros(_ ctx: some MilterContext, _ state: ConnectionState, _ stage: MacroStage) {
        for name in configuration.macros {
            if let value = ctx.symbolValue(name) { state.connection.macros.record(name, value, at: stage) }
        }
    }

    private func failed(_ error: any Error, step: String, _ state: ConnectionState) -> Reply {
        var metadata: Logger.Metadata = ["step": "\(step)", "error": "\(error)", "on_error": "\(configuration.failureReply.rawValue)"]
        if let queueID = state.connection.macros["i"] { metadata["queue_id"] = "\(queueID)" }
        configuration.logger.error("milter step failed; answering with the on_error reply", metadata: metadata)
        configuration.onStepFailure(step)
        return configuration.failureReply.reply
    }

    private func answer(_ reply: Reply, _ ctx: some MilterContext, step: MilterSteps?) -> StepStatus {
        switch reply {
        case .continue: return .continue
        case .accept: return .accept
        case .discard: return .discard
        case .skip:
            let state = self.state(ctx)
            let canSkip = step == .body && state.connection.negotiatedProtocol & ProtocolFlags.skip != 0
            return canSkip ? .skip : .continue
        case .reject(let smtp), .tempfail(let smtp):
            var temporary: Bool
            if case .tempfail = reply { temporary = true } else { temporary = false }
            if let smtp {
                temporary = smtp.isTemporary
                if !ctx.setReply(smtp) {
                    configuration.logger.warning("MTA refused the reply text", metadata: ["reply": "\(smtp)"])
                }
            }
            return temporary ? .tempfail : .reject
        }
    }
}

/// Per-connection state kept behind libmilter's private pointer.
final class ConnectionState {
    let connection: MilterConnection
    let session: any MilterSession
    /// A verdict given at a no-reply step, answered at the next step that replies.
    var pending: Reply?
    /// Where the connection's current transaction stands, for the graceful stop.
    var transaction: Transaction = .none

    enum Transaction {
        /// Between transactions.
        case none
        /// Begun before any drain: the stop waits for it.
        case counted
        /// Begun while stopping: refused with a 4xx.
        case refused
    }

    init(connection: MilterConnection, session: any MilterSession) {
        self.connection = connection
        self.session = session
    }
}

extension MilterSteps {
    var name: String {
        switch self {
        case .connect: return "connect"
        case .helo: return "helo"
        case .envelopeFrom: return "envelope-from"
        case .envelopeRecipient: return "envelope-recipient"
        case .data: return "data"
        case .header: return "header"
        case .endOfHeaders: return "end-of-headers"
        case .body: return "body"
        case .unknown: return "unknown"
        default: return "steps(\(rawValue))"
        }
    }
}

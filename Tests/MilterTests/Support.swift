import Logging
import Milter
import MilterTesting
import Synchronization

/// Counts session creations and releases for lifetime tests.
final class Lifetimes: Sendable {
    let created = Atomic<Int>(0)
    let released = Atomic<Int>(0)
    let closed = Atomic<Int>(0)
}

/// A session whose answers a test sets per step.
final class ScriptedSession: MilterSession {
    let connection: MilterConnection
    let lifetimes: Lifetimes?
    var answers: [MilterSteps: Reply] = [:]
    var failAt: MilterSteps? = nil
    var onEndOfMessage: (MessageModifier) throws -> Reply = { _ in .continue }
    var seen: [String] = []
    var bodyBytes: [UInt8] = []
    var resets = 0

    init(_ connection: MilterConnection, lifetimes: Lifetimes? = nil) {
        self.connection = connection
        self.lifetimes = lifetimes
        lifetimes?.created.add(1, ordering: .relaxed)
    }

    deinit { lifetimes?.released.add(1, ordering: .relaxed) }

    struct Boom: Error {}

    private func reply(_ step: MilterSteps, _ note: String) throws -> Reply {
        seen.append(note)
        if failAt == step { throw Boom() }
        return answers[step] ?? .continue
    }

    func connect(hostname: String, address: ClientAddress?) throws -> Reply { try reply(.connect, "connect \(hostname)") }
    func helo(_ name: String) throws -> Reply { try reply(.helo, "helo \(name)") }
    func envelopeFrom(_ arguments: [String]) throws -> Reply { try reply(.envelopeFrom, "mail \(arguments[0])") }
    func envelopeRecipient(_ arguments: [String]) throws -> Reply { try reply(.envelopeRecipient, "rcpt \(arguments[0])") }
    func data() throws -> Reply { try reply(.data, "data") }
    func header(name: String, value: [UInt8]) throws -> Reply { try reply(.header, "header \(name)") }
    func endOfHeaders() throws -> Reply { try reply(.endOfHeaders, "eoh") }
    func body(_ chunk: UnsafeRawBufferPointer) throws -> Reply {
        bodyBytes.append(contentsOf: chunk)
        return try reply(.body, "body \(chunk.count)")
    }
    func endOfMessage(_ message: MessageModifier) throws -> Reply {
        seen.append("eom")
        return try onEndOfMessage(message)
    }
    func abort() { seen.append("abort") }
    func close() {
        seen.append("close")
        lifetimes?.closed.add(1, ordering: .relaxed)
    }
    func resetMessage() { resets += 1 }
}

/// Builds a driver whose dispatcher hands out `ScriptedSession`s; `configure` adjusts each.
final class Harness {
    let driver: MilterTestDriver
    let lifetimes = Lifetimes()
    private let box: SessionBox

    final class SessionBox: @unchecked Sendable {
        // Written and read on the test's thread only; the dispatcher calls the factory synchronously.
        var last: ScriptedSession?
        var configure: (ScriptedSession) -> Void = { _ in }
    }

    init(steps: MilterSteps = .all, replying: MilterSteps = .all, actions: MilterActions = [.changeBody, .addHeaders, .changeHeaders],
         failure: FailureReply = .accept, requestedMacros: [MacroStage: [String]] = [:],
         configure: @escaping (ScriptedSession) -> Void = { _ in }) {
        let box = SessionBox()
        box.configure = configure
        let lifetimes = self.lifetimes
        let configuration = MilterConfiguration(
            name: "test", steps: steps, replyingSteps: replying, actions: actions, requestedMacros: requestedMacros,
            failureReply: failure, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let dispatcher = MilterDispatcher(configuration: configuration) { connection in
            let session = ScriptedSession(connection, lifetimes: lifetimes)
            box.configure(session)
            box.last = session
            return session
        }
        self.box = box
        driver = MilterTestDriver(dispatcher: dispatcher)
    }

    var session: ScriptedSession? { box.last }

    func forgetSession() { box.last = nil }
}

import Logging
import Milter
import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// The milter session: gathers the envelope and the X-MSYS-API header, and at end of
/// message rejects bad header data or strips the header, then writes the message's log line.
public final class TrackingSession: MilterSession {
    private let connection: MilterConnection
    private let service: TrackingService
    private var envelope = MessageEnvelope()
    private var bytesIn = 0
    private var busyNanoseconds: UInt64 = 0

    init(connection: MilterConnection, service: TrackingService) {
        self.connection = connection
        self.service = service
    }

    private var configuration: Configuration { service.configuration }

    public func envelopeRecipient(_ arguments: [String]) throws -> Reply {
        if envelope.recipients.isEmpty {
            envelope.sender = connection.macros["{mail_addr}"]
        }
        let address = connection.macros["{rcpt_addr}"] ?? arguments.first.map(MessageEnvelope.address) ?? ""
        if configuration.milter.recipientMode == .split && !envelope.recipients.isEmpty {
            // RFC 5321 §4.5.3.1.10: the client sends the rest in further transactions.
            envelope.deferredRecipients += 1
            return .tempfail(try SMTPReply(code: "452", enhancedCode: "4.5.3", text: "Too many recipients"))
        }
        envelope.recipients.append(address)
        return .continue
    }

    public func header(name: String, value: String) throws -> Reply {
        timed {
            if name.utf8.count == 10 && name.lowercased() == "x-msys-api" {
                envelope.apiHeaderValues.append(value)
                envelope.apiHeaderName = name
            } else if name.utf8.count == 10 && name.lowercased() == "message-id" {
                envelope.messageIDHeader = value.trimmingWhitespace()
            }
        }
        return .continue
    }

    public func body(_ chunk: UnsafeRawBufferPointer) throws -> Reply {
        bytesIn += chunk.count
        return .continue
    }

    public func endOfMessage(_ message: MessageModifier) throws -> Reply {
        let start = monotonicNanoseconds()
        let macros = connection.macros
        envelope.queueID = macros["i"]
        envelope.customerID = macros["{auth_authen}"]
        envelope.listener = macros["{daemon_name}"]
        envelope.clientAddress = macros["{client_addr}"]
        let messageID = MessageID.random()
        var line = MessageLogLine(envelope: envelope, messageID: messageID)
        func finish(_ outcome: String, _ reason: String?) {
            busyNanoseconds += monotonicNanoseconds() - start
            line.finish(outcome: outcome, reason: reason, milliseconds: Double(busyNanoseconds) / 1e6, bytesIn: bytesIn)
            service.logger.info("message", metadata: line.metadata)
        }

        switch MessageDecision.decide(envelope, configuration: configuration) {
        case .reject(let error):
            finish("rejected", error.replyText)
            return .reject(try SMTPReply(code: error.code, enhancedCode: error.enhancedCode, text: error.replyText))
        case .proceed(let proceed):
            line.record(proceed)
            do {
                try stripAPIHeader(message)
            } catch {
                finish("error-passed", "\(error)")
                throw error
            }
            finish("unchanged", proceed.ignoredHeaderError.map { "ignored header error: \($0.replyText)" })
            return .continue
        }
    }

    public func resetMessage() {
        envelope = MessageEnvelope()
        bytesIn = 0
        busyNanoseconds = 0
    }

    private func stripAPIHeader(_ message: MessageModifier) throws {
        guard configuration.milter.stripAPIHeader, let name = envelope.apiHeaderName else { return }
        // From the last occurrence back, so earlier indexes stay valid.
        for occurrence in stride(from: envelope.apiHeaderValues.count, through: 1, by: -1) {
            try message.deleteHeader(name, occurrence: occurrence)
        }
    }

    private func timed(_ body: () -> Void) {
        let start = monotonicNanoseconds()
        body()
        busyNanoseconds += monotonicNanoseconds() - start
    }
}

func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

extension String {
    func trimmingWhitespace() -> String {
        let bytes = Array(utf8)
        var start = 0, end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09 || bytes[start] == 0x0A || bytes[start] == 0x0D) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

import EventSpool
import Logging
import Milter
import Tracking
import TrackingRuntime
#if canImport(Glibc)
import Glibc
#endif

/// The milter session: gathers the envelope, hands headers and body to a `MessageProcessor`
/// as they arrive, and at end of message carries out what it decided.
public final class TrackingSession: MilterSession {
    private let connection: MilterConnection
    private let service: TrackingService
    private let metrics: MilterMetrics?
    /// Where the injection events go (`events.spool`); nil when spooling is off.
    private let spool: SpoolWriter?
    private var envelope = MessageEnvelope()
    private var processor: MessageProcessor?
    /// The client's `SIZE=` of MAIL FROM, capped at `limits.max_message_bytes`.
    private(set) var sizeHint: Int?

    init(connection: MilterConnection, service: TrackingService, metrics: MilterMetrics?, spool: SpoolWriter? = nil) {
        self.connection = connection
        self.service = service
        self.metrics = metrics
        self.spool = spool
    }

    private var configuration: Configuration { service.configuration }

    /// Takes RFC 1870's `SIZE=` as the body size hint, so the rewritten body is reserved once
    /// instead of growing by doubling. Capped at `max_message_bytes`: a lying client cannot
    /// make the milter reserve more than a message it would rewrite at all.
    public func envelopeFrom(_ arguments: [String]) throws -> Reply {
        sizeHint = ESMTPParameters(arguments.dropFirst()).size.map { min($0, configuration.limits.maxMessageBytes) }
        return .continue
    }

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

    public func header(name: String, value: [UInt8]) throws -> Reply {
        messageProcessor().header(name: name, value: value)
        return .continue
    }

    public func body(_ chunk: UnsafeRawBufferPointer) throws -> Reply {
        messageProcessor().body(chunk)
        return .continue
    }

    public func endOfMessage(_ message: MessageModifier) throws -> Reply {
        let outcome = messageProcessor().finish()
        var log = outcome.logMetadata
        switch outcome.action {
        case .reject(let error):
            service.logger.info("message", metadata: log)
            metrics?.message(outcome)
            return .reject(try SMTPReply(code: error.code, enhancedCode: error.enhancedCode, text: error.replyText))
        case .deliver(let delivery):
            do {
                try apply(delivery, to: message)
            } catch let error as BodyNotWhole {
                // The MTA may hold part of the new body, so accepting could deliver a cut
                // message, whatever on_error says. Try again later.
                log["outcome"] = .string(error.outcome.rawValue)
                log["reason"] = "\(error.underlying)"
                service.logger.error("message", metadata: log)
                metrics?.modificationFailed()
                return FailureReply.tempfail.reply
            } catch {
                // Modifications already sent may stand; the message itself is not lost.
                log["outcome"] = .string(MessageOutcome.Kind.errorPassed.rawValue)
                log["reason"] = "\(error)"
                service.logger.error("message", metadata: log)
                metrics?.modificationFailed()
                throw error
            }
            service.logger.info("message", metadata: log)
            metrics?.message(outcome)
            if let spool {
                // Only now: the MTA took the tracked body, so these are the links it delivers.
                for injection in outcome.injections { spool.append(injection.line(id: .random())) }
            }
            return .continue
        case .failed(let onError):
            // The same reply as any other internal failure, with the message's own log line.
            service.logger.error("message", metadata: log)
            metrics?.message(outcome)
            return onError.failureReply.reply
        }
    }

    public func resetMessage() {
        envelope = MessageEnvelope()
        processor = nil
        sizeHint = nil
    }

    /// The size hint the current message's processor was made with (for tests).
    var processorSizeHint: Int? { processor?.bodySizeHint }

    /// The processor for the current message, made at its first header: by then every
    /// recipient and the macros the decision needs are known.
    private func messageProcessor() -> MessageProcessor {
        if let processor { return processor }
        let macros = connection.macros
        envelope.queueID = macros["i"]
        envelope.customerID = macros["{auth_authen}"]
        envelope.listener = macros["{daemon_name}"]
        envelope.clientAddress = macros["{client_addr}"]
        let made = MessageProcessor(
            service: service, envelope: envelope, bodySizeHint: sizeHint, collectsInjections: spool != nil)
        processor = made
        return made
    }

    private func apply(_ delivery: Delivery, to message: MessageModifier) throws {
        if let (name, count) = delivery.deleteAPIHeaders {
            // From the last occurrence back, so earlier indexes stay valid.
            for occurrence in stride(from: count, through: 1, by: -1) {
                try message.deleteHeader(name, occurrence: occurrence)
            }
        }
        for (name, value) in delivery.headerChanges { try message.changeHeader(name, to: value) }
        for (name, value) in delivery.addedHeaders { try message.addHeader(name, value) }
        // In the sink's pieces (memory segments, then the spill file read back 256 KiB at a
        // time): libmilter cuts them into packets anyway, and the whole body is never copied.
        var piecesSent = 0
        do {
            try delivery.body?.forEachChunk {
                try message.replaceBody($0)
                piecesSent += 1
            }
        } catch let error as SpillError {
            throw BodyNotWhole(outcome: .spillFailed, underlying: error)
        } catch where piecesSent > 0 {
            throw BodyNotWhole(outcome: .bodyCut, underlying: error)
        }
    }
}

/// Sending the new body stopped after part of it may have reached the MTA.
private struct BodyNotWhole: Error {
    let outcome: MessageOutcome.Kind
    let underlying: any Error
}

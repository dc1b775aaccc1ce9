import Foundation
import Logging
import PolicyScript
import Tracking

/// Handles one message from its first header to its end: gathers the headers, decides at
/// the first body byte whether and how the body is rewritten, streams the body through the
/// rewriter as it arrives, and says at the end what to do. The milter session and the
/// offline `rewrite` command both drive it, so they cannot differ.
public final class MessageProcessor {
    private let service: TrackingService
    /// Taken once: a reload while the message is in flight does not change it.
    private let configuration: Configuration
    private var envelope: MessageEnvelope
    private var headers: [HeaderField] = []
    private var signed = false
    private var plan: Plan?
    private var bytesIn = 0
    private let started = monotonicNanoseconds()
    private let now: Date
    /// The message's id in tracked URLs, events and the log line.
    public let messageID: MessageID
    private let sealer: TokenSealer

    /// This message in the crash journal, while it is being worked on.
    private var inFlight: PoisonJournal.InFlight?

    private enum Plan {
        /// It crashed the milter before: passed unchanged, nothing parsed.
        case bypass
        case reject(APIHeaderError)
        case scriptFailed(PolicyScriptError)
        case pass(MessageDecision.Proceed, reason: String?)
        case rewrite(MessageDecision.Proceed, MIMERewriter, SealedURLMaker)

        var isBypass: Bool {
            if case .bypass = self { return true }
            return false
        }
    }

    /// The body's expected size, when known: sizes the new body's first segment.
    public let bodySizeHint: Int?
    private let collectsInjections: Bool

    /// - Parameters:
    ///   - bodySizeHint: the body's size when known beforehand (a file's size, or the client's
    ///     SMTP `SIZE=`, which counts the header too): a small new body is then allocated once.
    ///     Large bodies cost about their size without it (segments, and `limits.spill_*`).
    ///   - collectsInjections: build the `injection` events of a tracked message (for a spool);
    ///     without one it is per-message work nobody reads.
    public init(
        service: TrackingService, envelope: MessageEnvelope, now: Date = Date(), bodySizeHint: Int? = nil,
        collectsInjections: Bool = false
    ) {
        self.service = service
        self.collectsInjections = collectsInjections
        self.bodySizeHint = bodySizeHint
        self.envelope = envelope
        self.now = now
        let settings = service.settings
        configuration = settings.configuration
        sealer = TokenSealer(keyring: settings.keyring)
        messageID = MessageID(bytes: sealer.messageID)
    }


    /// One top-level header field; the value as bytes, exactly as the MTA sent it.
    public func header(name: String, value: [UInt8]) {
        headers.append(HeaderField(name: name, value: value))
        // Only three names matter; most headers are ruled out by length before any lower-casing.
        let length = name.utf8.count
        guard length == 10 || length == 14 else { return }
        switch name.lowercased() {
        case "x-msys-api":
            // JSON is UTF-8 text (RFC 8259): other bytes are a header error, never repaired
            // into U+FFFD, which would quietly change a campaign id or a tag.
            if let text = String(validating: value, as: UTF8.self) {
                envelope.apiHeaderValues.append(text)
            } else {
                envelope.apiHeaderValues.append(String(decoding: value, as: UTF8.self))
                envelope.apiHeaderNotUTF8 = true
            }
            envelope.apiHeaderName = name
        case "message-id": envelope.messageIDHeader = String(decoding: value, as: UTF8.self).trimmingASCIIWhitespace()
        case "dkim-signature": signed = true
        default: break
        }
    }

    public func body(_ chunk: UnsafeRawBufferPointer) {
        bytesIn += chunk.count
        if plan == nil { plan = start(bodyStart: chunk) }
        if case .rewrite(_, let rewriter, let maker) = plan {
            // What the tracked URLs may add so far: max_growth is checked per link, not only per batch.
            maker.urlByteAllowance = configuration.limits.allowedGrowthBytes(bodyBytesIn: bytesIn)
            journalled { rewriter.feed(chunk) }
        }
    }

    /// What to do with the message, and its log line.
    public func finish() -> MessageOutcome {
        let plan = self.plan ?? start(bodyStart: UnsafeRawBufferPointer(start: nil, count: 0))
        self.plan = plan
        defer {
            inFlight?.end()
            inFlight = nil
        }
        // A bypassed message is not worked on, so no fault can strike it either.
        if !service.faults.isEmpty, !plan.isBypass {
            journalled { service.faults.atEndOfMessage(messageID: envelope.messageIDHeader) }
        }
        var line = MessageLogLine(envelope: envelope, messageID: messageID)
        let outcome: MessageOutcome.Action
        var kind = MessageOutcome.Kind.unchanged
        var linksTracked = 0
        var reason: String?
        var injections: [InjectionEvent] = []
        switch plan {
        case .bypass:
            outcome = .deliver(Delivery(deleteAPIHeaders: nil, headerChanges: [], body: nil))
            kind = .poisonBypassed
            reason = "this message crashed the milter before (poison journal); passed unchanged"
        case .reject(let error):
            outcome = .reject(error)
            kind = .rejected
            reason = error.replyText
        case .scriptFailed(let error):
            let onError = configuration.milter.onError
            outcome = .failed(onError)
            kind = .policyScriptFailed
            reason = error.description
            line.metadata["on_error"] = .string(onError.rawValue)
        case .pass(let proceed, let why):
            line.record(proceed)
            outcome = .deliver(Delivery(deleteAPIHeaders: apiHeadersToDelete, headerChanges: [], body: nil))
            reason = [proceed.ignoredHeaderError.map { "ignored header error: \($0.replyText)" }, why]
                .compactMap { $0 }.joined(separator: "; ").nilIfEmpty
        case .rewrite(let proceed, let rewriter, let maker):
            line.record(proceed)
            let result = journalled { rewriter.finish() }
            if let failure = result.outputFailure {
                // The new body could not be kept (its spill file failed) and nothing was
                // changed: the reply is the one for any internal failure, with the reason.
                let onError = configuration.milter.onError
                outcome = .failed(onError)
                kind = .spillFailed
                reason = failure
                line.metadata["on_error"] = .string(onError.rawValue)
                break
            }
            var notes: [String] = proceed.ignoredHeaderError.map { ["ignored header error: \($0.replyText)"] } ?? []
            if maker.metadataTruncated { notes.append("metadata cut to max_metadata_len") }
            notes += result.notes
            switch result.outcome {
            case .unchanged(let why):
                outcome = .deliver(Delivery(deleteAPIHeaders: apiHeadersToDelete, headerChanges: [], body: nil))
                if let why { notes.append(why) }
            case .rewritten(let body, let headerChanges):
                let unsubscribe = ListUnsubscribeStep.run(
                    mode: configuration.trackingOptions(listener: envelope.listener).listUnsubscribe, header: proceed.header,
                    headers: headers, maker: maker)
                outcome = .deliver(Delivery(
                    deleteAPIHeaders: apiHeadersToDelete, headerChanges: headerChanges, addedHeaders: unsubscribe.fields, body: body))
                line.set("list_unsubscribe", unsubscribe.logValue)
                kind = .rewritten
                line.metadata["bytes_out"] = .stringConvertible(body.count)
                if collectsInjections {
                    injections = InjectionEvent.forMessage(
                        recipients: proceed.recipients, messageID: messageID, metadata: maker.metadataText, headers: headers,
                        envelope: envelope, bodyBytes: bytesIn, transactional: proceed.header?.transactional ?? false,
                        time: now)
                }
            }
            line.recordRewrite(result.statistics, partsRewritten: result.partsRewritten)
            linksTracked = result.statistics.linksTracked
            reason = notes.joined(separator: "; ").nilIfEmpty
        }
        let milliseconds = Double(monotonicNanoseconds() - started) / 1e6
        line.finish(outcome: kind.rawValue, reason: reason, milliseconds: milliseconds, bytesIn: bytesIn)
        return MessageOutcome(
            action: outcome, logMetadata: line.metadata, kind: kind, linksTracked: linksTracked, milliseconds: milliseconds,
            injections: injections)
    }

    /// The X-MSYS-API headers to delete: all of them, when stripping.
    private var apiHeadersToDelete: (name: String, count: Int)? {
        guard configuration.milter.stripAPIHeader, let name = envelope.apiHeaderName else { return nil }
        return (name, envelope.apiHeaderValues.count)
    }

    /// Journals the message (or finds it among the suspects) and decides, at the first body
    /// byte: from here on the message's own bytes are parsed.
    private func start(bodyStart: UnsafeRawBufferPointer) -> Plan {
        if let journal = service.journal {
            let fingerprint = MessageFingerprint(
                messageID: envelope.messageIDHeader, sender: envelope.sender, recipients: envelope.recipients,
                apiHeaders: envelope.apiHeaderValues, bodyStart: bodyStart)
            if journal.isSuspect(fingerprint) { return .bypass }
            inFlight = journal.begin(fingerprint)
        }
        return journalled { makePlan() }
    }

    /// Runs `work` as this message's, so a crash inside it names the message in the journal.
    private func journalled<T>(_ work: () -> T) -> T {
        guard let inFlight else { return work() }
        return inFlight.perform(work)
    }

    private func makePlan() -> Plan {
        switch MessageDecision.decide(envelope, headers: headers, configuration: configuration) {
        case .reject(let error):
            return .reject(error)
        case .scriptFailed(let error):
            return .scriptFailed(error)
        case .proceed(let proceed):
            guard let tracking = proceed.recipients.first?.tracking, tracking.tracksAnything else {
                return .pass(proceed, reason: nil)
            }
            // Without header fields there is no MIME structure to trust: what looks like a
            // header may be body text, and the other way round.
            if headers.isEmpty { return .pass(proceed, reason: "no header fields") }
            if signed && !configuration.milter.rewriteSigned {
                return .pass(proceed, reason: "DKIM-signed; rewrite_signed is false")
            }
            let options = configuration.trackingOptions(listener: envelope.listener)
            // One body per recipient in split mode; a shared body names no recipient (SPEC §3).
            let recipient = envelope.recipients.count == 1 ? envelope.recipients[0] : nil
            switch TrackedRewrite.make(
                headers: headers, tracking: tracking, options: options, recipient: recipient, sealer: sealer,
                limits: configuration.limits, now: now,
                output: SpillingBody(settings: configuration.spill, sizeHint: bodySizeHint))
            {
            case .rewrite(let rewriter, let maker): return .rewrite(proceed, rewriter, maker)
            case .overLimit(let kind): return .pass(proceed, reason: configuration.limits.reason(kind))
            }
        }
    }
}

/// What the MTA should do with a message, and the message's log line.
public struct MessageOutcome {
    public enum Action {
        case reject(APIHeaderError)
        case deliver(Delivery)
        /// Processing failed (the policy script): answer as `on_error` says, without changes.
        case failed(OnError)
    }

    /// The `outcome` of the log line.
    public enum Kind: String, Sendable, CaseIterable {
        case rewritten, unchanged, rejected
        /// A modification the MTA refused after the decision (logged by the session).
        case errorPassed = "error-passed"
        case poisonBypassed = "poison-bypassed"
        /// The policy script failed or overran its budget; the MTA got the `on_error` reply.
        case policyScriptFailed = "policy-script-failed"
        /// The new body could not be kept (its spill file failed); the MTA got the `on_error` reply.
        case spillFailed = "spill-failed"
        /// Part of the new body reached the MTA, then sending the rest failed: tempfailed
        /// whatever `on_error` says, since accepting could deliver a cut message.
        case bodyCut = "body-cut"
    }

    public let action: Action
    public let logMetadata: Logger.Metadata
    public let kind: Kind
    public let linksTracked: Int
    /// From the first header to the decision at end of message.
    public let milliseconds: Double
    /// One per recipient when the body was tracked (rewritten), for the event spool; the
    /// milter appends them once the MTA took the new body.
    public let injections: [InjectionEvent]
}

/// The modifications of a delivered message: headers first, then the body (MTAs refuse a
/// header change between body pieces).
public struct Delivery {
    /// Delete this many headers of this name (X-MSYS-API, as the message spelt it).
    public var deleteAPIHeaders: (name: String, count: Int)?
    /// Top-level headers to set (a Content-Transfer-Encoding that had to change).
    public var headerChanges: [(name: String, value: String)]
    /// Headers to append (`List-Unsubscribe`); a folded value has LF + space between lines.
    public var addedHeaders: [(name: String, value: String)]
    /// The new body, or nil to leave it; read it in pieces (`forEachChunk`).
    public var body: (any BodySink)?

    public init(
        deleteAPIHeaders: (name: String, count: Int)?, headerChanges: [(name: String, value: String)],
        addedHeaders: [(name: String, value: String)] = [], body: (any BodySink)?
    ) {
        self.deleteAPIHeaders = deleteAPIHeaders
        self.headerChanges = headerChanges
        self.addedHeaders = addedHeaders
        self.body = body
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

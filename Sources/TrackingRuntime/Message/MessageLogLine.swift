import Logging
import Tracking

/// The one log line per message (SPEC §8), built up as the message is handled.
struct MessageLogLine {
    var metadata: Logger.Metadata = [:]

    init(envelope: MessageEnvelope, messageID: MessageID) {
        set("queue_id", envelope.queueID)
        metadata["message_id"] = "\(messageID)"
        set("header_message_id", envelope.messageIDHeader)
        set("customer", envelope.customerID)
        metadata["recipients"] = .array(envelope.recipients.map { .string($0) })
        if envelope.deferredRecipients > 0 { metadata["deferred_recipients"] = "\(envelope.deferredRecipients)" }
    }

    mutating func set(_ key: String, _ value: String?) {
        if let value { metadata[key] = .string(value) }
    }

    /// Campaign, metadata, tags and the open/click decision. When recipients differ the
    /// decision is listed per recipient in `tracking`.
    mutating func record(_ proceed: MessageDecision.Proceed) {
        if let header = proceed.header {
            if !header.ignoredSparkPostFields.isEmpty {
                metadata["ignored_fields"] = .array(header.ignoredSparkPostFields.map { .string($0) })
            }
            if !header.unknownFields.isEmpty {
                metadata["unknown_fields"] = .array(header.unknownFields.map { .string($0) })
            }
        }
        guard let first = proceed.recipients.first?.tracking else { return }
        set("campaign", first.campaignID)
        if let meta = first.metadata { metadata["metadata"] = .stringConvertible(RawJSON(JSONValue.object(meta).jsonText)) }
        if !first.tags.isEmpty { metadata["tags"] = .array(first.tags.map { .string($0) }) }
        if proceed.recipients.allSatisfy({ $0.tracking.openTracking == first.openTracking && $0.tracking.clickTracking == first.clickTracking }) {
            metadata["open"] = .stringConvertible(first.openTracking)
            metadata["click"] = .stringConvertible(first.clickTracking)
        } else {
            metadata["tracking"] = .array(proceed.recipients.map {
                .string("\($0.address):open=\($0.tracking.openTracking),click=\($0.tracking.clickTracking)")
            })
        }
    }

    /// Parts rewritten, links tracked and skipped (by reason), pixels inserted.
    mutating func recordRewrite(_ statistics: RewriteStatistics, partsRewritten: Int) {
        metadata["parts"] = .stringConvertible(partsRewritten)
        metadata["links_tracked"] = .stringConvertible(statistics.linksTracked)
        metadata["links_skipped"] = .array(statistics.linksSkipped.sorted { $0.key < $1.key }.map { .string("\($0.key):\($0.value)") })
        metadata["pixels"] = .stringConvertible(statistics.pixels)
    }

    mutating func finish(outcome: String, reason: String?, milliseconds: Double, bytesIn: Int) {
        metadata["bytes_in"] = .stringConvertible(bytesIn)
        metadata["ms"] = .stringConvertible((milliseconds * 1000).rounded() / 1000)
        metadata["outcome"] = .string(outcome)
        set("reason", reason)
    }
}

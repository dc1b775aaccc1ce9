import Foundation
import Tracking
import TrackingRuntime

/// One engagement event as a JSON line with SparkPost's field names (SPEC §6).
///
/// Fields come in a fixed order: `type`, `timestamp`, `message_id`, `rcpt_to`, `customer_id`,
/// `campaign_id`, `rcpt_meta`, `rcpt_tags`, then `target_link_url` and `target_link_name` for
/// clicks, then `user_agent`, `ip_address`, `machine`. Absent values are `null`; `rcpt_meta`
/// is `{}` and `rcpt_tags` `[]` when the message had none, as in SparkPost's events.
struct TrackerEvent: Sendable {
    let token: TrackingToken
    let time: Date
    let userAgent: String?
    let ipAddress: String?
    let machine: String?

    /// The JSON text, without the newline.
    var jsonLine: String {
        var bytes = lineBytes
        bytes.removeLast()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The JSON text and its newline, as UTF-8 (built on bytes: this runs for every hit).
    var lineBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(400 + token.targetURL.utf8.count + (token.metadata?.utf8.count ?? 0) + (userAgent?.utf8.count ?? 0))
        Self.literal(#"{"type":"#, &out)
        JSONText.appendString(token.eventType, to: &out)
        Self.literal(#","timestamp":""#, &out)
        Timestamp.append(time, to: &out)
        Self.literal(#"","message_id":""#, &out)
        Hex.appendLower(token.messageID, to: &out)
        Self.literal(#"","rcpt_to":"#, &out)
        Self.appendOptional(token.recipient, to: &out)
        Self.literal(#","customer_id":"#, &out)
        Self.appendOptional(token.customerID, to: &out)
        Self.literal(#","campaign_id":"#, &out)
        Self.appendOptional(token.campaignID, to: &out)
        Self.literal(#","rcpt_meta":"#, &out)
        var metadata = Self.metadataObject(token.metadata)
        metadata.withUTF8 { out.append(contentsOf: $0) }
        Self.literal(#","rcpt_tags":["#, &out)
        for (i, tag) in token.tags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(tag, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        if token.kind == .click {
            Self.literal(#","target_link_url":"#, &out)
            JSONText.appendString(token.targetURL, to: &out)
            Self.literal(#","target_link_name":"#, &out)
            JSONText.appendString(token.linkName, to: &out)
        }
        Self.literal(#","user_agent":"#, &out)
        Self.appendOptional(userAgent, to: &out)
        Self.literal(#","ip_address":"#, &out)
        Self.appendOptional(ipAddress, to: &out)
        Self.literal(#","machine":"#, &out)
        Self.appendOptional(machine, to: &out)
        Self.literal("}\n", &out)
        return out
    }

    /// The sealed metadata is the compact JSON object the milter serialized (and the seal
    /// proves it came from us); anything else — only possible from an incompatible build —
    /// is re-checked so that the line always stays valid JSON.
    static func metadataObject(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "{}" }
        if text.utf8.first == UInt8(ascii: "{"), text.utf8.last == UInt8(ascii: "}"),
           !text.utf8.contains(where: { $0 < 0x20 }) {
            return text
        }
        if case .object(let object)? = try? JSONValue(parsing: text) { return JSONValue.object(object).jsonText }
        return "{}"
    }

    /// RFC 3339 UTC with milliseconds, as in the log lines: `2026-11-25T15:31:54.005Z`.
    static func timestamp(_ date: Date) -> String { Timestamp.format(date) }

    @inline(__always)
    private static func literal(_ text: StaticString, _ out: inout [UInt8]) {
        JSONText.appendLiteral(text, to: &out)
    }

    private static func appendOptional(_ value: String?, to out: inout [UInt8]) {
        if let value { JSONText.appendString(value, to: &out) } else { literal("null", &out) }
    }
}

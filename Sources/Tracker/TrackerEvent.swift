import Foundation
import Tracking
import TrackingMilter

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
        var out = "{\"type\":"
        out.reserveCapacity(512 + token.targetURL.utf8.count + (token.metadata?.utf8.count ?? 0))
        appendString(token.eventType, to: &out)
        out += ",\"timestamp\":"
        appendString(Self.timestamp(time), to: &out)
        out += ",\"message_id\":"
        appendString(MessageID(bytes: token.messageID).description, to: &out)
        out += ",\"rcpt_to\":"
        appendOptional(token.recipient, to: &out)
        out += ",\"customer_id\":"
        appendOptional(token.customerID, to: &out)
        out += ",\"campaign_id\":"
        appendOptional(token.campaignID, to: &out)
        out += ",\"rcpt_meta\":"
        out += Self.metadataObject(token.metadata)
        out += ",\"rcpt_tags\":["
        for (i, tag) in token.tags.enumerated() {
            if i > 0 { out += "," }
            appendString(tag, to: &out)
        }
        out += "]"
        if token.kind == .click {
            out += ",\"target_link_url\":"
            appendString(token.targetURL, to: &out)
            out += ",\"target_link_name\":"
            appendString(token.linkName, to: &out)
        }
        out += ",\"user_agent\":"
        appendOptional(userAgent, to: &out)
        out += ",\"ip_address\":"
        appendOptional(ipAddress, to: &out)
        out += ",\"machine\":"
        appendOptional(machine, to: &out)
        out += "}"
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
    static func timestamp(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let seconds = Int(interval.rounded(.down))
        let milliseconds = min(999, max(0, Int(((interval - Double(seconds)) * 1000).rounded(.down))))
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let s = String(value)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }

    private func appendOptional(_ value: String?, to out: inout String) {
        if let value { appendString(value, to: &out) } else { out += "null" }
    }

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as UTF-8.
    private func appendString(_ value: String, to out: inout String) {
        out += "\""
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) {
            out += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }
}

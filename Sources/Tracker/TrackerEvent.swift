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
        var bytes = lineBytes
        bytes.removeLast()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The JSON text and its newline, as UTF-8 (built on bytes: this runs for every hit).
    var lineBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(400 + token.targetURL.utf8.count + (token.metadata?.utf8.count ?? 0) + (userAgent?.utf8.count ?? 0))
        Self.literal(#"{"type":"#, &out)
        Self.appendString(token.eventType, to: &out)
        Self.literal(#","timestamp":""#, &out)
        Self.appendTimestamp(time, to: &out)
        Self.literal(#"","message_id":""#, &out)
        let hex: StaticString = "0123456789abcdef"
        hex.withUTF8Buffer { digits in
            for byte in token.messageID {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
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
            Self.appendString(tag, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        if token.kind == .click {
            Self.literal(#","target_link_url":"#, &out)
            Self.appendString(token.targetURL, to: &out)
            Self.literal(#","target_link_name":"#, &out)
            Self.appendString(token.linkName, to: &out)
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
    static func timestamp(_ date: Date) -> String {
        var out: [UInt8] = []
        appendTimestamp(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendTimestamp(_ date: Date, to out: inout [UInt8]) {
        let interval = date.timeIntervalSince1970
        let seconds = Int(interval.rounded(.down))
        let milliseconds = min(999, max(0, Int(((interval - Double(seconds)) * 1000).rounded(.down))))
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
                v %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        out.append(UInt8(ascii: "."))
        digits(milliseconds, 3)
        out.append(UInt8(ascii: "Z"))
    }

    @inline(__always)
    private static func literal(_ text: StaticString, _ out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func appendOptional(_ value: String?, to out: inout [UInt8]) {
        if let value { appendString(value, to: &out) } else { literal("null", &out) }
    }

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as
    /// UTF-8, copied in runs.
    private static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { bytes in
            var runStart = 0
            for i in 0..<bytes.count {
                let byte = bytes[i]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
                appendEscape(byte, to: &out)
                runStart = i + 1
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): Self.literal(#"\""#, &out)
        case UInt8(ascii: "\\"): Self.literal(#"\\"#, &out)
        case UInt8(ascii: "\n"): Self.literal(#"\n"#, &out)
        case UInt8(ascii: "\r"): Self.literal(#"\r"#, &out)
        case UInt8(ascii: "\t"): Self.literal(#"\t"#, &out)
        default:
            let hex: StaticString = "0123456789abcdef"
            Self.literal(#"\u00"#, &out)
            hex.withUTF8Buffer { digits in
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
    }
}

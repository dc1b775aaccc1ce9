import Foundation

/// One event as a JSON line with SparkPost's field names (docs/events.md): the one home of
/// the fields every event carries, in this order — `type`, `event_id`, `timestamp`,
/// `message_id`, `rcpt_to`, `customer_id`, `campaign_id`, `rcpt_meta`, `rcpt_tags` — after
/// which each type adds its own with `field`. Absent values are `null`; `rcpt_meta` is `{}`
/// and `rcpt_tags` `[]` when there are none. Built on bytes: it runs for every event.
public struct EventLine {
    private var out: [UInt8] = []

    /// - Parameters:
    ///   - messageID: the 10 bytes sealed in the message's URLs (written as 20 hex digits).
    ///   - metadata: the compact JSON object text tokens carry, or nil.
    ///   - reserve: bytes expected beyond the common fields, so the line is allocated once.
    public init(
        type: String, id: EventID, timestamp: Date, messageID: [UInt8], recipient: String?, customerID: String?,
        campaignID: String?, metadata: String?, tags: [String], reserve: Int = 0
    ) {
        out.reserveCapacity(300 + reserve + (metadata?.utf8.count ?? 0) + tags.reduce(0) { $0 + $1.utf8.count + 3 })
        literal(#"{"type":"#)
        JSONText.appendString(type, to: &out)
        literal(#","event_id":""#)
        Hex.appendLower(id.bytes, to: &out)
        literal(#"","timestamp":""#)
        Timestamp.append(timestamp, to: &out)
        literal(#"","message_id":""#)
        Hex.appendLower(messageID, to: &out)
        literal(#"","rcpt_to":"#)
        optional(recipient)
        literal(#","customer_id":"#)
        optional(customerID)
        literal(#","campaign_id":"#)
        optional(campaignID)
        literal(#","rcpt_meta":"#)
        var object = Self.metadataObject(metadata)
        object.withUTF8 { out.append(contentsOf: $0) }
        literal(#","rcpt_tags":["#)
        for (i, tag) in tags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(tag, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Adds `"key":"value"`, or `"key":null` for nil.
    public mutating func field(_ key: StaticString, _ value: String?) {
        literal(",\"")
        literal(key)
        literal("\":")
        optional(value)
    }

    /// Adds `"key":"<RFC 3339 time>"`.
    public mutating func field(_ key: StaticString, time: Date) {
        literal(",\"")
        literal(key)
        literal("\":\"")
        Timestamp.append(time, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// The finished line: the object and its newline, as UTF-8.
    public consuming func finished() -> [UInt8] {
        literal("}\n")
        return out
    }

    /// The sealed metadata is the compact JSON object the milter serialized (and the seal
    /// proves it came from us); anything else — only possible from an incompatible build —
    /// is re-checked so that the line always stays valid JSON.
    public static func metadataObject(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "{}" }
        if text.utf8.first == UInt8(ascii: "{"), text.utf8.last == UInt8(ascii: "}"),
           !text.utf8.contains(where: { $0 < 0x20 }) {
            return text
        }
        if case .object(let object)? = try? JSONValue(parsing: text) { return JSONValue.object(object).jsonText }
        return "{}"
    }

    @inline(__always)
    private mutating func literal(_ text: StaticString) {
        JSONText.appendLiteral(text, to: &out)
    }

    private mutating func optional(_ value: String?) {
        if let value { JSONText.appendString(value, to: &out) } else { literal("null") }
    }
}

import EventShipping
import Foundation
import Tracking

/// Event lines as the producers write them (docs/events.md), for tests.
public enum TestEvents {
    /// A fresh 32-hex-digit event id.
    public static func newID() -> String {
        (0..<32).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
    }

    /// One event's JSON line (without the newline). Nil arguments are written as null.
    public static func line(
        id: String = newID(), type: String, time: Date = Date(timeIntervalSince1970: 1_796_000_000),
        message: String? = "0123456789abcdef0123", rcpt: String? = "rcpt@example.com", campaign: String? = "spring",
        customer: String? = nil, linkName: String? = nil, linkURL: String? = nil, machine: String? = nil,
        extra: JSONObject = [:]
    ) -> [UInt8] {
        var object: JSONObject = [
            "event_id": .string(id), "type": .string(type), "timestamp": .string(Timestamp.format(time)),
            "message_id": optional(message), "rcpt_to": optional(rcpt), "campaign_id": optional(campaign),
            "customer_id": optional(customer), "rcpt_meta": .object([:]), "rcpt_tags": .array([]),
        ]
        if type == "click" || type == "link_unsubscribe" {
            object["target_link_url"] = optional(linkURL)
            object["target_link_name"] = optional(linkName)
        }
        if type != "injection" {
            object["user_agent"] = .string("Mozilla/5.0")
            object["ip_address"] = .string("192.0.2.1")
            object["machine"] = optional(machine)
        }
        for (key, value) in extra { object[key] = value }
        return Array(JSONValue.object(object).jsonText.utf8)
    }

    private static func optional(_ value: String?) -> JSONValue {
        value.map(JSONValue.string) ?? .null
    }
}

extension TestEvents {
    /// The lines as the shipper hands them to a sink.
    public static func batch(_ lines: [[UInt8]], id: String = "batch-1") -> EventBatch {
        EventBatch(id: id, events: lines.map { line in
            let record = try? EventRecord(parsing: line)
            return SpooledEvent(json: line, eventID: record?.eventID ?? "", type: record?.type ?? "")
        })
    }
}

import Foundation
import Tracking

/// A token as JSON for `decode`: every sealed field, the expiry as Unix time and RFC 3339.
public enum TokenJSON {
    public static func render(_ token: TrackingToken, now: Date = Date()) -> String {
        var object: JSONObject = [
            "type": .string(token.eventType),
            "message_id": .string(MessageID(bytes: token.messageID).description),
            "rcpt_tags": .array(token.tags.map { .string($0) }),
            "expiry": .number(Double(token.expiry)),
            "expires_at": .string(Timestamp.format(seconds: Int(token.expiry), milliseconds: 0)),
            "expired": .bool(token.isExpired(now: now)),
        ]
        if token.kind == .click {
            object["target_link_url"] = .string(token.targetURL)
            object["target_link_name"] = .string(token.linkName)
        }
        object["rcpt_to"] = token.recipient.map { .string($0) } ?? .null
        object["customer_id"] = token.customerID.map { .string($0) } ?? .null
        object["campaign_id"] = token.campaignID.map { .string($0) } ?? .null
        if let text = token.metadata, let value = try? JSONValue(parsing: text) {
            object["rcpt_meta"] = value
        } else {
            object["rcpt_meta"] = .null
        }
        return JSONValue.object(object).jsonText
    }

    /// The expiry as RFC 3339 text.
    public static func expiryText(_ token: TrackingToken) -> String {
        Timestamp.format(seconds: Int(token.expiry), milliseconds: 0)
    }
}

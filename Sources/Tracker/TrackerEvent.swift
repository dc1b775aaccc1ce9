import Foundation
import Tracking

/// One engagement event as a JSON line with SparkPost's field names (docs/events.md).
///
/// The common fields come first, as `EventLine` writes them (`type`, `event_id`,
/// `timestamp`, `message_id`, `rcpt_to`, `customer_id`, `campaign_id`, `rcpt_meta`,
/// `rcpt_tags`), then `target_link_url` and `target_link_name` for clicks, then
/// `user_agent`, `ip_address`, `machine`.
struct TrackerEvent: Sendable {
    let token: TrackingToken
    let id: EventID
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
        var line = EventLine(
            type: token.eventType, id: id, timestamp: time, messageID: token.messageID, recipient: token.recipient,
            customerID: token.customerID, campaignID: token.campaignID, metadata: token.metadata, tags: token.tags,
            reserve: token.targetURL.utf8.count + token.linkName.utf8.count + (userAgent?.utf8.count ?? 0))
        if token.kind == .click {
            line.field("target_link_url", token.targetURL)
            line.field("target_link_name", token.linkName)
        }
        line.field("user_agent", userAgent)
        line.field("ip_address", ipAddress)
        line.field("machine", machine)
        return line.finished()
    }
}

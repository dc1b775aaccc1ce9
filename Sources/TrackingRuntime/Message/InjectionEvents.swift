import Foundation
import Tracking

extension InjectionEvent {
    /// The injection events of a message whose body was tracked: one per recipient (a
    /// shared body's recipients each get one, with the same `message_id`), with the
    /// settings resolved for that recipient.
    ///
    /// - Parameters:
    ///   - metadata: the metadata text the message's tokens carry.
    ///   - bodyBytes: body bytes received (the header fields are counted from `headers`).
    static func forMessage(
        recipients: [(address: String, tracking: ResolvedTracking)], messageID: MessageID, metadata: String?,
        headers: [HeaderField], envelope: MessageEnvelope, bodyBytes: Int, time: Date
    ) -> [InjectionEvent] {
        let summary = HeaderSummary(headers)
        return recipients.map { recipient in
            InjectionEvent(
                messageID: messageID.bytes, recipient: recipient.address, customerID: recipient.tracking.customerID,
                campaignID: recipient.tracking.campaignID, metadata: metadata, tags: recipient.tracking.tags,
                subject: summary.subject, friendlyFrom: summary.friendlyFrom, mailFrom: envelope.sender,
                messageSize: summary.headerBytes + bodyBytes,
                // X-MSYS-API's options.transactional is not parsed yet: SparkPost's default.
                transactional: false, injectionTime: time, queueID: envelope.queueID)
        }
    }
}

import Foundation

/// The `injection` event the milter spools for each recipient of a tracked message: with
/// it, sends join opens and clicks on `message_id` (docs/events.md).
public struct InjectionEvent: Sendable, Equatable {
    /// The 10 bytes sealed in the message's tracked URLs.
    public var messageID: [UInt8]
    /// The recipient; every recipient of a shared body gets an event of its own.
    public var recipient: String
    public var customerID: String?
    public var campaignID: String?
    /// The compact JSON object the message's tokens carry (cut to `max_metadata_len`), or nil.
    public var metadata: String?
    public var tags: [String]
    /// The Subject, RFC 2047 decoded, at most `HeaderSummary.maxSubjectBytes`.
    public var subject: String?
    /// The address in the From header.
    public var friendlyFrom: String?
    /// The envelope sender (MAIL FROM).
    public var mailFrom: String?
    /// Bytes the milter received: header fields and body.
    public var messageSize: Int
    /// `options.transactional` of X-MSYS-API.
    public var transactional: Bool
    /// When the milter received the message.
    public var injectionTime: Date
    /// The MTA's queue id.
    public var queueID: String?

    public init(
        messageID: [UInt8], recipient: String, customerID: String?, campaignID: String?, metadata: String?,
        tags: [String], subject: String?, friendlyFrom: String?, mailFrom: String?, messageSize: Int,
        transactional: Bool, injectionTime: Date, queueID: String?
    ) {
        self.messageID = messageID
        self.recipient = recipient
        self.customerID = customerID
        self.campaignID = campaignID
        self.metadata = metadata
        self.tags = tags
        self.subject = subject
        self.friendlyFrom = friendlyFrom
        self.mailFrom = mailFrom
        self.messageSize = messageSize
        self.transactional = transactional
        self.injectionTime = injectionTime
        self.queueID = queueID
    }

    /// The event's JSON line, ending in a newline; `timestamp` is `injection_time`.
    public func line(id: EventID) -> [UInt8] {
        var line = EventLine(
            type: "injection", id: id, timestamp: injectionTime, messageID: messageID, recipient: recipient,
            customerID: customerID, campaignID: campaignID, metadata: metadata, tags: tags,
            reserve: 200 + (subject?.utf8.count ?? 0) + (friendlyFrom?.utf8.count ?? 0) + (mailFrom?.utf8.count ?? 0))
        line.field("subject", subject)
        line.field("friendly_from", friendlyFrom)
        line.field("msg_from", mailFrom)
        line.field("msg_size", String(messageSize))
        line.field("transactional", transactional ? "1" : "0")
        line.field("injection_time", time: injectionTime)
        line.field("queue_id", queueID)
        return line.finished()
    }
}

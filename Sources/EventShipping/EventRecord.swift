import EventSpool
import Foundation
import Tracking
import TrackingRuntime

/// The fields of one event that the PostgreSQL sink stores in columns and the report counts
/// by, read from its JSON object in one pass (docs/events.md, "Event schema").
public struct EventRecord: Sendable, Equatable {
    public var eventID: String
    public var type: String
    /// `timestamp`, which must be RFC 3339.
    public var timestamp: Date
    public var messageID: String?
    public var rcptTo: String?
    public var campaignID: String?
    public var customerID: String?
    public var targetLinkURL: String?
    public var targetLinkName: String?
    public var machine: String?
    /// The whole object as PostgreSQL's `jsonb` accepts it: the line itself, except that a
    /// `\u0000` escape (which `jsonb` refuses) reads `\ufffd`.
    public var json: String

    /// Longest event line read, the spool's line bound; producers cut sender-sized values
    /// long before this.
    public static let maxBytes = SpoolDirectory.maxLineBytes
    /// Longest `event_id` accepted; ours are 32 hex digits.
    static let maxEventIDBytes = 128

    /// Reads the event from its JSON text (one spool line without the newline).
    ///
    /// Throws for anything a database could not store: not UTF-8, not one JSON object,
    /// `event_id`, `type` or `timestamp` missing or not strings, a timestamp that is not
    /// RFC 3339, a routed field that is neither a string nor null, nesting deeper than 64,
    /// a lone surrogate escape, or a number past what `jsonb` holds.
    public init(parsing line: [UInt8]) throws(EventParseError) {
        guard line.count <= Self.maxBytes else { throw EventParseError("longer than \(Self.maxBytes) bytes") }
        guard let text = String(validating: line, as: UTF8.self) else { throw EventParseError("not UTF-8") }
        var scanner = EventJSONScanner(bytes: line)
        let fields = try scanner.scanEvent()

        guard let eventID = fields.eventID, !eventID.isEmpty else { throw EventParseError("no event_id") }
        guard eventID.utf8.count <= Self.maxEventIDBytes else { throw EventParseError("event_id longer than \(Self.maxEventIDBytes) bytes") }
        guard let type = fields.type, !type.isEmpty else { throw EventParseError("no type") }
        guard let stamp = fields.timestamp else { throw EventParseError("no timestamp") }
        guard let timestamp = Timestamp.parse(stamp) else { throw EventParseError("timestamp \"\(stamp.prefix(40))\" is not RFC 3339") }

        self.eventID = eventID
        self.type = type
        self.timestamp = timestamp
        messageID = fields.messageID
        rcptTo = fields.rcptTo
        campaignID = fields.campaignID
        customerID = fields.customerID
        targetLinkURL = fields.targetLinkURL
        targetLinkName = fields.targetLinkName
        machine = fields.machine
        json = scanner.nulEscapes.isEmpty ? text : Self.replacingNulEscapes(in: line, at: scanner.nulEscapes)
    }

    /// Whether a known automated fetcher made this event.
    public var isMachine: Bool { !(machine ?? "").isEmpty }

    /// `line` with the `\u0000` escapes that start at `offsets` written as `\ufffd`.
    private static func replacingNulEscapes(in line: [UInt8], at offsets: [Int]) -> String {
        var out = line
        for offset in offsets where offset + 5 < out.count {
            out.replaceSubrange((offset + 2)...(offset + 5), with: Array("fffd".utf8))
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why an event line cannot be stored or counted; the line is skipped and counted.
public struct EventParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

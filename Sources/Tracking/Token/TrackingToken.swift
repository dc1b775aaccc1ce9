import Foundation

/// Everything a tracked URL says about one click or open (SPEC §5). It travels sealed
/// (see `TokenSealer` and `TrackingToken.open(_:with:)`), so the tracker needs no database.
public struct TrackingToken: Sendable, Equatable {
    /// What a hit on the URL records. The raw value is the kind's two bits in the token
    /// body (`TokenBody`); all four values are taken, so a further kind needs a new format
    /// version. A body whose reserved bits are set does not open (`invalidContent`).
    public enum EventKind: UInt8, Sendable, CaseIterable {
        /// A tracked link (`/f/...`).
        case click = 0
        /// The bottom open pixel (`/q/...`).
        case open = 1
        /// The top open pixel (`/q/...`).
        case initialOpen = 2
        /// The RFC 8058 one-click unsubscribe URL of the `List-Unsubscribe` header (`/u/...`).
        case listUnsubscribe = 3

        /// An open pixel of either kind: what `/q/` records.
        public var isOpen: Bool { self == .open || self == .initialOpen }
    }

    /// The link name when the message gave none (`data-msys-linkname`).
    public static let defaultLinkName = "Raw URL"

    public var kind: EventKind
    /// Where a click redirects to; empty for opens and list-unsubscribe URLs.
    public var targetURL: String
    public var linkName: String
    /// A click on an unsubscribe link (`data-msys-unsubscribe="1"`); ignored for other kinds.
    public var unsubscribe: Bool
    /// The message's 10-byte id. When sealing it must be the sealer's `messageID`.
    public var messageID: [UInt8]
    /// The recipient's address; nil when one body serves several recipients (shared mode).
    public var recipient: String?
    public var customerID: String?
    public var campaignID: String?
    /// Serialized compact JSON object text, already cut to `max_metadata_len` by the caller.
    public var metadata: String?
    public var tags: [String]
    /// Unix time (seconds) from which a hit still redirects but records no event.
    public var expiry: UInt32

    public init(
        kind: EventKind,
        targetURL: String = "",
        linkName: String = TrackingToken.defaultLinkName,
        unsubscribe: Bool = false,
        messageID: [UInt8],
        recipient: String? = nil,
        customerID: String? = nil,
        campaignID: String? = nil,
        metadata: String? = nil,
        tags: [String] = [],
        expiry: UInt32
    ) {
        self.kind = kind
        self.targetURL = targetURL
        self.linkName = linkName
        self.unsubscribe = unsubscribe
        self.messageID = messageID
        self.recipient = recipient
        self.customerID = customerID
        self.campaignID = campaignID
        self.metadata = metadata
        self.tags = tags
        self.expiry = expiry
    }
}

extension TrackingToken {
    /// The event's `type` with SparkPost's names: `click`, `link_unsubscribe`, `open`,
    /// `initial_open`, `list_unsubscribe`.
    public var eventType: String {
        switch kind {
        case .click: unsubscribe ? "link_unsubscribe" : "click"
        case .open: "open"
        case .initialOpen: "initial_open"
        case .listUnsubscribe: "list_unsubscribe"
        }
    }

    /// Whether a hit at `now` is past the expiry: it still redirects, but records no event.
    /// The expiry second itself is already expired.
    public func isExpired(now: Date) -> Bool {
        now.timeIntervalSince1970 >= Double(expiry)
    }

    /// The absolute expiry for a token made at `now` that lives `lifetime` seconds
    /// (`tracking_link_expiry`), clamped to what the token can hold (up to the year 2106).
    public static func expiry(now: Date, lifetime: Int) -> UInt32 {
        let seconds = now.timeIntervalSince1970.rounded(.down) + Double(max(lifetime, 0))
        return seconds >= Double(UInt32.max) ? .max : UInt32(max(seconds, 0))
    }
}

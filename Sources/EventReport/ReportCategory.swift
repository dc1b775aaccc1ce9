/// What the report counts each event type as. The one table both counting paths use: the
/// file tally switches on it, and the PostgreSQL query binds its type lists.
public enum ReportCategory: String, Sendable, CaseIterable {
    case sent
    case open
    case click
    case unsubscribe

    /// The event types (docs/events.md) counted in this category.
    public var types: [String] {
        switch self {
        case .sent: ["injection"]
        case .open: ["open", "initial_open"]
        case .click: ["click"]
        case .unsubscribe: ["list_unsubscribe", "link_unsubscribe"]
        }
    }

    /// The category of an event type; nil for types the report does not count.
    public init?(type: String) {
        guard let category = Self.allCases.first(where: { $0.types.contains(type) }) else { return nil }
        self = category
    }

    /// What a click is counted under in the per-link table: the link's name, else its URL.
    public static func linkKey(name: String?, url: String?) -> String {
        if let name, !name.isEmpty { return name }
        if let url, !url.isEmpty { return url }
        return noLink
    }

    /// The per-link key of a click that names no link.
    public static let noLink = "(no link)"
}

/// Opens and clicks are unique per message and recipient: the same person opening twice
/// counts once. A null recipient (shared recipient mode) is a value of its own.
struct RecipientKey: Hashable {
    let messageID: String?
    let rcptTo: String?
}

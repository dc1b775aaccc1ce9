import Foundation
import Tracking
import TrackingRuntime

/// Which events a report counts.
public struct ReportFilter: Sendable, Equatable {
    /// Only this campaign; nil for all.
    public var campaignID: String?
    /// Only events at or after this time; nil for all.
    public var since: Date?

    public init(campaignID: String? = nil, since: Date? = nil) {
        self.campaignID = campaignID
        self.since = since
    }

    func admits(_ campaignID: String?, at time: Date) -> Bool {
        if let wanted = self.campaignID, campaignID != wanted { return false }
        if let since, time < since { return false }
        return true
    }

    /// Reads `--since`: an RFC 3339 time (`2026-12-01T00:00:00Z`), a date (`2026-12-01`,
    /// midnight UTC), or an age before `now`: a whole number and `m`, `h`, `d` or `w` (`24h`, `7d`).
    public static func since(_ text: String, now: Date) -> Date? {
        if let time = Timestamp.parse(text) { return time }
        if text.utf8.count == 10, let day = Timestamp.parse(text + "T00:00:00Z") { return day }
        guard let unit = text.last, let count = Int(text.dropLast()), count >= 0, count <= 100_000 else { return nil }
        let seconds: Int
        switch unit {
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        case "w": seconds = 604_800
        default: return nil
        }
        return now.addingTimeInterval(-Double(count * seconds))
    }
}

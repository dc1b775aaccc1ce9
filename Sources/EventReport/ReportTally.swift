import EventShipping

/// Counts events read from files (the spool, the tracker's events file), each event once
/// however often it was read: files overlap, and a shipper may have re-sent.
public struct ReportTally: Sendable {
    private struct Campaign: Sendable {
        var report: CampaignReport
        var openers: Set<RecipientKey> = []
        var clickers: Set<RecipientKey> = []
        var links: [String: (report: LinkReport, clickers: Set<RecipientKey>)] = [:]
    }

    public let filter: ReportFilter
    private var campaigns: [String?: Campaign] = [:]
    private var seen: Set<EventKey> = []
    /// Events read more than once, counted once.
    public private(set) var duplicates = 0

    public init(filter: ReportFilter) { self.filter = filter }

    /// Counts `event` unless it was counted before or the filter leaves it out.
    public mutating func add(_ event: EventRecord) {
        guard filter.admits(event.campaignID, at: event.timestamp) else { return }
        guard seen.insert(EventKey(event.eventID)).inserted else {
            duplicates += 1
            return
        }
        guard let category = ReportCategory(type: event.type) else { return }
        var campaign = campaigns[event.campaignID] ?? Campaign(report: CampaignReport(campaignID: event.campaignID))
        let recipient = RecipientKey(messageID: event.messageID, rcptTo: event.rcptTo)
        switch category {
        case .sent:
            campaign.report.sent += 1
        case .open:
            campaign.report.opens += 1
            campaign.openers.insert(recipient)
            if event.isMachine { campaign.report.machineOpens += 1 }
        case .click:
            campaign.report.clicks += 1
            campaign.clickers.insert(recipient)
            if event.isMachine { campaign.report.machineClicks += 1 }
            let key = ReportCategory.linkKey(name: event.targetLinkName, url: event.targetLinkURL)
            var link = campaign.links[key] ?? (LinkReport(link: key), [])
            link.report.clicks += 1
            link.clickers.insert(recipient)
            if event.isMachine { link.report.machineClicks += 1 }
            campaign.links[key] = link
        case .unsubscribe:
            campaign.report.unsubscribes += 1
        }
        campaigns[event.campaignID] = campaign
    }

    /// The counts per campaign, in `CampaignReport.ordered` order.
    public var reports: [CampaignReport] {
        campaigns.values.map { campaign in
            var report = campaign.report
            report.uniqueOpens = campaign.openers.count
            report.uniqueClicks = campaign.clickers.count
            report.links = campaign.links.values.map { link in
                var out = link.report
                out.uniqueClicks = link.clickers.count
                return out
            }.sorted(by: LinkReport.ordered)
            return report
        }.sorted(by: CampaignReport.ordered)
    }
}

/// An event id, held as 128 bits when it is 32 hex digits (ours are) to keep a large
/// spool's id set small, else as the text.
private enum EventKey: Hashable, Sendable {
    case bits(UInt64, UInt64)
    case text(String)

    init(_ id: String) {
        let utf8 = Array(id.utf8)
        if utf8.count == 32, let high = Self.hex(utf8[0..<16]), let low = Self.hex(utf8[16..<32]) {
            self = .bits(high, low)
        } else {
            self = .text(id)
        }
    }

    private static func hex(_ digits: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in digits {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}

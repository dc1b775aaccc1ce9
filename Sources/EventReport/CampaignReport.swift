/// The counts for one campaign (docs/events.md, "The report").
public struct CampaignReport: Sendable, Equatable {
    /// Nil for events without a campaign.
    public var campaignID: String?
    /// Injections: one per recipient of every tracked message.
    public var sent = 0
    /// `open` and `initial_open` events.
    public var opens = 0
    /// Distinct message and recipient among the opens.
    public var uniqueOpens = 0
    /// Opens a known automated fetcher made (`machine` set).
    public var machineOpens = 0
    public var clicks = 0
    /// Distinct message and recipient among the clicks.
    public var uniqueClicks = 0
    public var machineClicks = 0
    /// `list_unsubscribe` and `link_unsubscribe` events.
    public var unsubscribes = 0
    /// Clicks per link, most clicked first.
    public var links: [LinkReport] = []

    public init(campaignID: String?) { self.campaignID = campaignID }

    /// The share of opens made by machines; nil without opens.
    public var machineOpenShare: Double? { Self.share(machineOpens, of: opens) }
    /// The share of clicks made by machines; nil without clicks.
    public var machineClickShare: Double? { Self.share(machineClicks, of: clicks) }

    static func share(_ part: Int, of whole: Int) -> Double? {
        whole == 0 ? nil : Double(part) / Double(whole)
    }

    /// Campaigns in name order, the one without a campaign last.
    static func ordered(_ a: CampaignReport, _ b: CampaignReport) -> Bool {
        switch (a.campaignID, b.campaignID) {
        case let (x?, y?): x < y
        case (.some, nil): true
        default: false
        }
    }
}

/// The clicks on one link of a campaign.
public struct LinkReport: Sendable, Equatable {
    /// `target_link_name`, else `target_link_url` (`ReportCategory.linkKey`).
    public var link: String
    public var clicks = 0
    public var uniqueClicks = 0
    public var machineClicks = 0

    public init(link: String) { self.link = link }

    /// Most clicked first, then by name.
    static func ordered(_ a: LinkReport, _ b: LinkReport) -> Bool {
        a.clicks != b.clicks ? a.clicks > b.clicks : a.link < b.link
    }
}

import Foundation
import Tracking
import TrackingRuntime

extension Report {
    /// How the campaign without a campaign id is shown in the table.
    public static let noCampaign = "(none)"

    /// For people: one row per campaign, then each campaign's clicks per link.
    public var table: String {
        var out = "Events from \(source)"
        if let campaign = filter.campaignID { out += ", campaign \(campaign)" }
        if let since = filter.since { out += ", since \(Timestamp.format(since))" }
        out += "\n"
        guard !campaigns.isEmpty else { return out + "\nNo events" + (filter == ReportFilter() ? "" : " match") + ".\n" + notes }
        var summary = TextTable(["campaign", "sent", "opens", "unique opens", "machine opens", "clicks", "unique clicks",
                                 "machine clicks", "unsubscribes"])
        for campaign in campaigns {
            summary.add([
                campaign.campaignID ?? Self.noCampaign, "\(campaign.sent)", "\(campaign.opens)", "\(campaign.uniqueOpens)",
                Self.percent(campaign.machineOpenShare), "\(campaign.clicks)", "\(campaign.uniqueClicks)",
                Self.percent(campaign.machineClickShare), "\(campaign.unsubscribes)",
            ])
        }
        out += "\n" + summary.render() + "\n"
        for campaign in campaigns where !campaign.links.isEmpty {
            out += "\nClicks per link, campaign \(campaign.campaignID ?? Self.noCampaign):\n"
            var links = TextTable(["link", "clicks", "unique clicks", "machine clicks"])
            for link in campaign.links {
                links.add([link.link, "\(link.clicks)", "\(link.uniqueClicks)",
                           Self.percent(CampaignReport.share(link.machineClicks, of: link.clicks))])
            }
            out += links.render(indent: "  ") + "\n"
        }
        return out + notes
    }

    private var notes: String {
        var out = ""
        if duplicateEvents > 0 { out += "\n\(duplicateEvents) events were read twice and counted once." }
        if skippedLines > 0 { out += "\n\(skippedLines) lines are not events (docs/events.md) and were not counted." }
        return out.isEmpty ? out : out + "\n"
    }

    /// `12.5%`, or `-` when there is nothing to share.
    static func percent(_ share: Double?) -> String {
        guard let share else { return "-" }
        return String(format: "%.1f%%", share * 100)
    }

    /// For scripts: one JSON object (keys sorted), shares as fractions rounded to 4 places.
    public var json: String {
        var object: JSONObject = [
            "source": .string(source),
            "campaign_filter": filter.campaignID.map(JSONValue.string) ?? .null,
            "since": filter.since.map { .string(Timestamp.format($0)) } ?? .null,
            "skipped_lines": .number(Double(skippedLines)),
            "duplicate_events": .number(Double(duplicateEvents)),
        ]
        object["campaigns"] = .array(campaigns.map { campaign in
            .object([
                "campaign_id": campaign.campaignID.map(JSONValue.string) ?? .null,
                "sent": .number(Double(campaign.sent)),
                "opens": .number(Double(campaign.opens)),
                "unique_opens": .number(Double(campaign.uniqueOpens)),
                "machine_opens": .number(Double(campaign.machineOpens)),
                "machine_open_share": Self.fraction(campaign.machineOpenShare),
                "clicks": .number(Double(campaign.clicks)),
                "unique_clicks": .number(Double(campaign.uniqueClicks)),
                "machine_clicks": .number(Double(campaign.machineClicks)),
                "machine_click_share": Self.fraction(campaign.machineClickShare),
                "unsubscribes": .number(Double(campaign.unsubscribes)),
                "links": .array(campaign.links.map { link in
                    .object([
                        "link": .string(link.link),
                        "clicks": .number(Double(link.clicks)),
                        "unique_clicks": .number(Double(link.uniqueClicks)),
                        "machine_clicks": .number(Double(link.machineClicks)),
                    ])
                }),
            ])
        })
        return JSONValue.object(object).jsonText
    }

    private static func fraction(_ share: Double?) -> JSONValue {
        guard let share else { return .null }
        return .number((share * 10_000).rounded() / 10_000)
    }
}

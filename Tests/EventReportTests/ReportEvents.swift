import Foundation
import PostgresTestSupport
import Tracking

/// A known set of events and the numbers a report must give for it.
enum ReportEvents {
    static let t0 = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30T00:53:20Z

    /// Lines in campaign `spring` (three recipients), `autumn` (one), and no campaign.
    static let lines: [[UInt8]] = {
        let m1 = "11111111111111111111", m2 = "22222222222222222222", m3 = "33333333333333333333"
        func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }
        return [
            // spring: 3 sent
            TestEvents.line(type: "injection", time: at(0), message: m1, rcpt: "a@example.com"),
            TestEvents.line(type: "injection", time: at(0), message: m2, rcpt: "b@example.com"),
            TestEvents.line(type: "injection", time: at(0), message: m3, rcpt: "c@example.com"),
            // spring opens: a twice and an initial_open, b once by a machine, c in shared mode (no rcpt) twice
            TestEvents.line(type: "initial_open", time: at(1), message: m1, rcpt: "a@example.com"),
            TestEvents.line(type: "open", time: at(2), message: m1, rcpt: "a@example.com"),
            TestEvents.line(type: "open", time: at(3), message: m1, rcpt: "a@example.com"),
            TestEvents.line(type: "open", time: at(4), message: m2, rcpt: "b@example.com", machine: "Apple Mail Privacy Protection"),
            TestEvents.line(type: "open", time: at(5), message: m3, rcpt: nil),
            TestEvents.line(type: "open", time: at(6), message: m3, rcpt: nil),
            // spring clicks: a on pricing twice, b on pricing, c on an unnamed link; one by a machine
            TestEvents.line(type: "click", time: at(7), message: m1, rcpt: "a@example.com", linkName: "pricing", linkURL: "https://example.com/p"),
            TestEvents.line(type: "click", time: at(8), message: m1, rcpt: "a@example.com", linkName: "pricing", linkURL: "https://example.com/p"),
            TestEvents.line(type: "click", time: at(9), message: m2, rcpt: "b@example.com", linkName: "pricing", linkURL: "https://example.com/p",
                            machine: "Microsoft Defender Safe Links"),
            TestEvents.line(type: "click", time: at(10), message: m3, rcpt: nil, linkName: "", linkURL: "https://example.com/faq"),
            TestEvents.line(type: "click", time: at(11), message: m3, rcpt: nil, linkName: nil, linkURL: nil),
            // spring unsubscribes: one of each kind
            TestEvents.line(type: "list_unsubscribe", time: at(12), message: m1, rcpt: "a@example.com"),
            TestEvents.line(type: "link_unsubscribe", time: at(13), message: m2, rcpt: "b@example.com", linkName: "unsub",
                            linkURL: "https://example.com/u"),
            // autumn: 1 sent, 1 open, a day later
            TestEvents.line(type: "injection", time: at(1440), message: "44444444444444444444", rcpt: "d@example.com", campaign: "autumn"),
            TestEvents.line(type: "open", time: at(1441), message: "44444444444444444444", rcpt: "d@example.com", campaign: "autumn"),
            // no campaign: 1 sent; and a type the report does not count
            TestEvents.line(type: "injection", time: at(0), campaign: nil),
            TestEvents.line(type: "delivery", time: at(0), campaign: nil),
        ]
    }()

    static var spring: CampaignReportExpectation {
        CampaignReportExpectation(
            campaign: "spring", sent: 3, opens: 6, uniqueOpens: 3, machineOpens: 1, clicks: 5, uniqueClicks: 3,
            machineClicks: 1, unsubscribes: 2,
            links: [("pricing", 3, 2, 1), ("(no link)", 1, 1, 0), ("https://example.com/faq", 1, 1, 0)])
    }
}

/// The numbers of one campaign, written out by hand.
struct CampaignReportExpectation {
    var campaign: String?
    var sent, opens, uniqueOpens, machineOpens, clicks, uniqueClicks, machineClicks, unsubscribes: Int
    var links: [(String, Int, Int, Int)]
}

import ArgumentParser
import EventReport
import Foundation
import TrackingRuntime
#if canImport(Glibc)
import Glibc
#endif

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Count sends, opens, clicks and unsubscribes per campaign.",
        discussion: """
            Reads PostgreSQL when events.postgres is set, else the spool's segments and the \
            tracker's events file. Unique opens and clicks are distinct message and recipient; \
            machine shares are the opens and clicks a known automated fetcher made. See docs/events.md.
            """)

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Option(name: .long, help: "Only this campaign_id.")
    var campaign: String?

    @Option(name: .long, help: "Only events since: an RFC 3339 time, a date (2026-12-01), or an age (24h, 7d).")
    var since: String?

    @Flag(name: .long, help: "One JSON object instead of tables.")
    var json = false

    func run() throws {
        let configuration = orExit { () throws(StartupError) in try ServiceStartup.configuration(config, policyScript: false) }
        var filter = ReportFilter(campaignID: campaign)
        if let since {
            guard let time = ReportFilter.since(since, now: Date()) else {
                fail("--since \(since): write an RFC 3339 time (2026-12-01T08:00:00Z), a date (2026-12-01) or an age (30m, 24h, 7d, 2w)")
            }
            filter.since = time
        }
        var logger = ServiceStartup.logger(configuration)
        logger.logLevel = .warning
        let report: Report
        do {
            report = try Report.makeWaiting(configuration, filter: filter, logger: logger)
        } catch {
            fail(error.description, code: error.exitCode)
        }
        print(json ? report.json : report.table, terminator: json ? "\n" : "")
    }
}

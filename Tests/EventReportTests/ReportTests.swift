import EventReport
import EventShipping
import Foundation
import Logging
import PostgresTestSupport
import Testing
import Tracking
import TrackingRuntime

@Suite("report counts")
struct ReportTests {
    let logger = Logger(label: "report-test")

    func check(_ report: CampaignReport?, _ expected: CampaignReportExpectation) {
        guard let report else {
            Issue.record("no report for \(expected.campaign ?? "no campaign")")
            return
        }
        #expect(report.campaignID == expected.campaign)
        #expect(report.sent == expected.sent)
        #expect(report.opens == expected.opens)
        #expect(report.uniqueOpens == expected.uniqueOpens)
        #expect(report.machineOpens == expected.machineOpens)
        #expect(report.clicks == expected.clicks)
        #expect(report.uniqueClicks == expected.uniqueClicks)
        #expect(report.machineClicks == expected.machineClicks)
        #expect(report.unsubscribes == expected.unsubscribes)
        #expect(report.links.map(\.link) == expected.links.map(\.0))
        #expect(report.links.map(\.clicks) == expected.links.map(\.1))
        #expect(report.links.map(\.uniqueClicks) == expected.links.map(\.2))
        #expect(report.links.map(\.machineClicks) == expected.links.map(\.3))
    }

    /// A spool directory with the events in two segments, the last line of the second cut
    /// short (a crash mid-write), a line that is no event, and every event of the first
    /// segment again in an events file.
    func writeFiles(_ lines: [[UInt8]]) throws -> (spool: String, eventsFile: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/spool", withIntermediateDirectories: true)
        let half = lines.count / 2
        func text(_ part: ArraySlice<[UInt8]>) -> [UInt8] { part.flatMap { $0 + [0x0A] } }
        try Data(text(lines[..<half]) + Array("not an event\n".utf8))
            .write(to: URL(fileURLWithPath: dir + "/spool/seg-0001796000000000-milter-10-000001.jsonl"))
        try Data(text(lines[half...]) + Array(#"{"event_id":"cut","type":"injection","#.utf8))
            .write(to: URL(fileURLWithPath: dir + "/spool/seg-0001796000000001-tracker-11-000001.jsonl"))
        try Data(text(lines[..<half])).write(to: URL(fileURLWithPath: dir + "/events.jsonl"))
        try Data("ignored\n".utf8).write(to: URL(fileURLWithPath: dir + "/spool/ship-postgres.checkpoint"))
        return (dir + "/spool", dir + "/events.jsonl")
    }

    func fileConfiguration(_ files: (spool: String, eventsFile: String)) -> Configuration {
        var configuration = Configuration(file: "test.yaml")
        configuration.events.spool = SpoolSettings(directory: files.spool)
        configuration.tracker.eventsFile = files.eventsFile
        return configuration
    }

    @Test("from the spool and the events file: each event once, cut and foreign lines left out")
    func fromFiles() async throws {
        let files = try writeFiles(ReportEvents.lines)
        let report = try await Report.make(fileConfiguration(files), filter: ReportFilter(), logger: logger)
        #expect(report.campaigns.map(\.campaignID) == ["autumn", "spring", nil])
        check(report.campaigns.first { $0.campaignID == "spring" }, ReportEvents.spring)
        #expect(report.campaigns.first { $0.campaignID == "autumn" }.map { [$0.sent, $0.opens, $0.uniqueOpens] } == [1, 1, 1])
        #expect(report.campaigns.last?.sent == 1)
        #expect(report.duplicateEvents == ReportEvents.lines.count / 2)
        #expect(report.skippedLines == 1)
        #expect(report.source.contains("spool"))
    }

    @Test("--campaign and --since narrow the count")
    func filters() async throws {
        let files = try writeFiles(ReportEvents.lines)
        let configuration = fileConfiguration(files)
        let only = try await Report.make(configuration, filter: ReportFilter(campaignID: "autumn"), logger: logger)
        #expect(only.campaigns.map(\.campaignID) == ["autumn"])
        // From minute 5 on: spring keeps the last open, its clicks and unsubscribes; autumn all.
        let later = try await Report.make(
            configuration, filter: ReportFilter(since: ReportEvents.t0.addingTimeInterval(5 * 60)), logger: logger)
        let spring = try #require(later.campaigns.first { $0.campaignID == "spring" })
        let counts: [Int] = [spring.sent, spring.opens, spring.uniqueOpens, spring.clicks, spring.unsubscribes]
        #expect(counts == [0, 2, 1, 5, 2])
        #expect(later.campaigns.first { $0.campaignID == "autumn" }?.opens == 1)
    }

    @Test("PostgreSQL's aggregates give the numbers the file tally gives, with and without filters",
          .enabled(if: TestDatabase.available, "\(TestDatabase.skipNote)"))
    func postgresAgreesWithFiles() async throws {
        let files = try writeFiles(ReportEvents.lines)
        try await TestDatabase.with { db in
            try await PostgresSink.withSink(settings: db.settings, logger: logger) { sink in
                try await sink.deliver(TestEvents.batch(ReportEvents.lines))
                try await sink.deliver(TestEvents.batch(Array(ReportEvents.lines.prefix(5))))  // re-sent
            }
            var database = Configuration(file: "test.yaml")
            database.events.postgres = db.settings
            let filters = [
                ReportFilter(), ReportFilter(campaignID: "spring"), ReportFilter(campaignID: "nothing"),
                ReportFilter(since: ReportEvents.t0.addingTimeInterval(5 * 60)),
                ReportFilter(campaignID: "spring", since: ReportEvents.t0.addingTimeInterval(8 * 60)),
            ]
            for filter in filters {
                let fromDB = try await Report.make(database, filter: filter, logger: logger)
                let fromFiles = try await Report.make(fileConfiguration(files), filter: filter, logger: logger)
                #expect(fromDB.campaigns == fromFiles.campaigns, "\(filter)")
                #expect(fromDB.source.hasPrefix("PostgreSQL 127.0.0.1:"))
            }
            let all = try await Report.make(database, filter: ReportFilter(), logger: logger)
            check(all.campaigns.first { $0.campaignID == "spring" }, ReportEvents.spring)
        }
    }

    @Test("a database with nothing shipped yet says so", .enabled(if: TestDatabase.available, "\(TestDatabase.skipNote)"))
    func emptyDatabase() async throws {
        try await TestDatabase.with { db in
            var configuration = Configuration(file: "test.yaml")
            configuration.events.postgres = db.settings
            do {
                _ = try await Report.make(configuration, filter: ReportFilter(), logger: logger)
                Issue.record("a report from a database without the table")
            } catch let error as ReportError {
                #expect(error.description.contains("no tracking_events table"))
                #expect(error.description.contains("tracking-milter ship"))
            }
        }
    }

    @Test("no server: the error names the host and port and what to check")
    func cannotConnect() async throws {
        var configuration = Configuration(file: "test.yaml")
        var settings = PostgresSettings(url: "postgres://tracking@127.0.0.1:9/tracking")
        settings.connectTimeout = 2
        configuration.events.postgres = settings
        do {
            _ = try await Report.make(configuration, filter: ReportFilter(), logger: logger)
            Issue.record("a report without a server")
        } catch {
            #expect(error.description.contains("cannot connect to PostgreSQL at 127.0.0.1:9"))
            #expect(error.description.contains("service is running"))
            #expect(error.exitCode == 69)
        }
    }

    @Test("--since: RFC 3339, a date, or an age")
    func since() {
        let now = Date(timeIntervalSince1970: 1_796_469_607)
        #expect(ReportFilter.since("24h", now: now) == now.addingTimeInterval(-86_400))
        #expect(ReportFilter.since("7d", now: now) == now.addingTimeInterval(-7 * 86_400))
        #expect(ReportFilter.since("30m", now: now) == now.addingTimeInterval(-1800))
        #expect(ReportFilter.since("2026-12-05T11:20:07Z", now: .distantPast) == now)
        #expect(ReportFilter.since("2026-12-05", now: .distantPast) == now.addingTimeInterval(-(11 * 3600 + 20 * 60 + 7)))
        for bad in ["", "h", "-1h", "24", "1y", "yesterday", "2026-12-5", "99999999999d"] {
            #expect(ReportFilter.since(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test("the table aligns its columns; the JSON parses and carries every count")
    func rendering() async throws {
        let files = try writeFiles(ReportEvents.lines)
        let report = try await Report.make(fileConfiguration(files), filter: ReportFilter(), logger: logger)
        let lines = report.table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("campaign ") })
        let rows = lines[header...header + 3]
        #expect(Set(rows.map(\.count)).count == 1, "\(rows)")  // right-aligned numbers end in one column
        #expect(rows.contains { $0.hasPrefix("spring ") && $0.hasSuffix(" 2") && $0.contains("16.7%") && $0.contains("20.0%") })
        #expect(lines.contains { $0.hasPrefix("  pricing ") })
        #expect(report.table.contains("were read twice and counted once"))

        let json = try JSONValue(parsing: report.json)
        guard case .object(let object) = json, case .array(let campaigns)? = object["campaigns"] else {
            Issue.record("not a report object: \(report.json)")
            return
        }
        let objects = campaigns.compactMap { value -> JSONObject? in
            if case .object(let campaign) = value { return campaign }
            return nil
        }
        let spring = try #require(objects.first { $0["campaign_id"] == .string("spring") })
        #expect(spring["unique_opens"] == .number(3))
        #expect(spring["machine_open_share"] == .number(0.1667))
        #expect(spring["unsubscribes"] == .number(2))
        #expect(object["duplicate_events"] == .number(Double(ReportEvents.lines.count / 2)))
    }
}

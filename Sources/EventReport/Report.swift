import EventShipping
import Foundation
import Logging
import TrackingRuntime

/// A report and where its numbers come from.
public struct Report: Sendable {
    /// Where the events were read: `PostgreSQL HOST:PORT/DB`, or the files.
    public var source: String
    public var filter: ReportFilter
    public var campaigns: [CampaignReport]
    /// Lines in the files that are not events (docs/events.md) and were not counted.
    public var skippedLines = 0
    /// Events read more than once (in the spool and the events file) and counted once.
    public var duplicateEvents = 0

    /// Counts from PostgreSQL when `events.postgres` is set, else from the spool's segments
    /// and the tracker's events file (when it is a file).
    public static func make(_ configuration: Configuration, filter: ReportFilter, logger: Logger) async throws(ReportError) -> Report {
        if let postgres = configuration.events.postgres {
            let endpoint: PostgresEndpoint
            do { endpoint = try PostgresEndpoint(postgres) } catch { throw .badPostgresSettings(error.description) }
            let campaigns = try await PostgresReportSource.reports(endpoint: endpoint, filter: filter, logger: logger)
            return Report(source: "PostgreSQL \(endpoint.display)", filter: filter, campaigns: campaigns)
        }
        var files: [String] = []
        if let spool = configuration.events.spool {
            files += try EventFileSource.segments(in: spool.directory)
        }
        let eventsFile = configuration.tracker.eventsToStandardOutput ? nil : configuration.tracker.eventsFile
        if let eventsFile, FileManager.default.fileExists(atPath: eventsFile) {
            files.append(eventsFile)
        }
        guard configuration.events.spool != nil || eventsFile != nil else { throw .nothingToRead(configFile: configuration.file) }
        return try fromFiles(files, filter: filter, source: sourceName(configuration, eventsFile: eventsFile))
    }

    /// Counts the events in `files`, each event once.
    public static func fromFiles(_ files: [String], filter: ReportFilter, source: String) throws(ReportError) -> Report {
        var tally = ReportTally(filter: filter)
        var skipped = 0
        for file in files {
            try EventFileSource.forEachLine(in: file, { line in
                guard !line.isEmpty else { return }
                do {
                    tally.add(try EventRecord(parsing: line))
                } catch {
                    skipped += 1
                }
            }, oversized: { skipped += 1 })
        }
        var report = Report(source: source, filter: filter, campaigns: tally.reports)
        report.skippedLines = skipped
        report.duplicateEvents = tally.duplicates
        return report
    }

    private static func sourceName(_ configuration: Configuration, eventsFile: String?) -> String {
        var parts: [String] = []
        if let spool = configuration.events.spool { parts.append("spool \(spool.directory)") }
        if let eventsFile { parts.append("events file \(eventsFile)") }
        return parts.joined(separator: " and ")
    }
}

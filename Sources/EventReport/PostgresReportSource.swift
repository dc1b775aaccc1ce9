import EventShipping
import Foundation
import Logging
import PostgresNIO

/// Counts in PostgreSQL with aggregates over `tracking_events`: the same categories, link
/// keys, machine test and unique keys as `ReportTally` (a test holds them to the same numbers).
enum PostgresReportSource {
    static func reports(endpoint: PostgresEndpoint, filter: ReportFilter, logger: Logger) async throws(ReportError) -> [CampaignReport] {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try endpoint.connectionConfiguration(), id: 1, logger: logger)
        } catch {
            throw ReportError.cannotConnect(endpoint, reason: PostgresSinkError.summary(error))
        }
        do {
            let result = try await query(connection, filter: filter, logger: logger)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            if PostgresSinkError.psqlError(error)?.serverInfo?[.sqlState] == "42P01" {
                throw ReportError.noEventsTable(endpoint)
            }
            throw ReportError.queryFailed(endpoint, reason: PostgresSinkError.summary(error))
        }
    }

    /// The WHERE clause both queries share; `$1` the campaign, `$2` the time (either NULL for all).
    private static let filterSQL = "($1::text IS NULL OR campaign_id = $1) AND ($2::timestamptz IS NULL OR ts >= $2)"
    private static let machineSQL = "(machine IS NOT NULL AND machine <> '')"

    private static func query(_ connection: PostgresConnection, filter: ReportFilter, logger: Logger) async throws -> [CampaignReport] {
        var campaigns: [String?: CampaignReport] = [:]
        let totals = """
            SELECT campaign_id,
              count(*) FILTER (WHERE type = ANY($3)),
              count(*) FILTER (WHERE type = ANY($4)),
              count(DISTINCT (message_id, rcpt_to)) FILTER (WHERE type = ANY($4)),
              count(*) FILTER (WHERE type = ANY($4) AND \(machineSQL)),
              count(*) FILTER (WHERE type = ANY($5)),
              count(DISTINCT (message_id, rcpt_to)) FILTER (WHERE type = ANY($5)),
              count(*) FILTER (WHERE type = ANY($5) AND \(machineSQL)),
              count(*) FILTER (WHERE type = ANY($6))
            FROM tracking_events
            WHERE \(filterSQL) AND type = ANY($7)
            GROUP BY campaign_id
            """
        var binds = filterBinds(filter)
        for category in ReportCategory.allCases { binds.append(category.types) }
        binds.append(ReportCategory.allCases.flatMap(\.types))
        let rows = try await connection.query(PostgresQuery(unsafeSQL: totals, binds: binds), logger: logger)
        for try await (campaign, sent, opens, uniqueOpens, machineOpens, clicks, uniqueClicks, machineClicks, unsubscribes)
            in rows.decode((String?, Int, Int, Int, Int, Int, Int, Int, Int).self) {
            var report = CampaignReport(campaignID: campaign)
            report.sent = sent
            report.opens = opens
            report.uniqueOpens = uniqueOpens
            report.machineOpens = machineOpens
            report.clicks = clicks
            report.uniqueClicks = uniqueClicks
            report.machineClicks = machineClicks
            report.unsubscribes = unsubscribes
            campaigns[campaign] = report
        }

        let links = """
            SELECT campaign_id, coalesce(nullif(target_link_name, ''), nullif(target_link_url, ''), $4) AS link,
              count(*), count(DISTINCT (message_id, rcpt_to)), count(*) FILTER (WHERE \(machineSQL))
            FROM tracking_events
            WHERE \(filterSQL) AND type = ANY($3)
            GROUP BY campaign_id, link
            """
        var linkBinds = filterBinds(filter)
        linkBinds.append(ReportCategory.click.types)
        linkBinds.append(ReportCategory.noLink)
        let linkRows = try await connection.query(PostgresQuery(unsafeSQL: links, binds: linkBinds), logger: logger)
        for try await (campaign, link, clicks, uniqueClicks, machineClicks) in linkRows.decode((String?, String, Int, Int, Int).self) {
            var entry = LinkReport(link: link)
            entry.clicks = clicks
            entry.uniqueClicks = uniqueClicks
            entry.machineClicks = machineClicks
            campaigns[campaign, default: CampaignReport(campaignID: campaign)].links.append(entry)
        }
        return campaigns.values.map { campaign in
            var report = campaign
            report.links.sort(by: LinkReport.ordered)
            return report
        }.sorted(by: CampaignReport.ordered)
    }

    private static func filterBinds(_ filter: ReportFilter) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(filter.campaignID)
        binds.append(filter.since)
        return binds
    }
}

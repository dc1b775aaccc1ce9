import Foundation
import Logging
import Metrics
import PostgresNIO
import Synchronization
import TrackingRuntime

/// Delivers events into PostgreSQL's `tracking_events` (docs/events.md, "The PostgreSQL sink").
///
/// - The schema is created or migrated before the first batch (`PostgresSchema`).
/// - A batch is one transaction of `INSERT ... ON CONFLICT (event_id) DO NOTHING` (one
///   statement with UNNEST): all of it is stored or none, and offering it again stores
///   nothing twice.
/// - A line that is not a storable event is logged, counted and skipped: it can never be
///   inserted, and retrying it would stop the sink for good. So is an event PostgreSQL
///   itself refuses (a data error, such as a character the database's encoding lacks).
/// - Anything else (the server gone, a timeout) throws: the shipper keeps the batch in the
///   spool and offers it again after its backoff, while postgres-nio reconnects.
///
/// `run()` must be running for `deliver` to get a connection; `withSink` does both.
public final class PostgresSink: EventSink {
    public let name = "postgres"
    public let endpoint: PostgresEndpoint
    let client: PostgresClient
    let insertStyle: PostgresInsertStyle
    /// Events per INSERT statement: all of them for UNNEST, the bind limit's share for VALUES.
    let statementMaxEvents: Int
    let batchTimeout: Duration
    let logger: Logger
    private let schemaReady = Mutex(false)
    private let skipped = Mutex(0)
    private let skippedCounter: Counter

    public init(
        settings: PostgresSettings, logger: Logger, insertStyle: PostgresInsertStyle = .unnest
    ) throws(PostgresEndpointError) {
        endpoint = try PostgresEndpoint(settings)
        batchTimeout = .seconds(settings.batchTimeout)
        statementMaxEvents = insertStyle.maxEvents
        self.insertStyle = insertStyle
        self.logger = logger
        // Batches of one sink go one at a time; a second connection serves a migration or
        // a batch that overlaps a stale one being torn down.
        // The pool logs every failed reconnect at info; while the server is down that is a
        // line per attempt. The batch that fails says why, once per attempt of the shipper.
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        client = PostgresClient(
            configuration: endpoint.clientConfiguration(statementTimeout: batchTimeout, maximumConnections: 2),
            backgroundLogger: background)
        skippedCounter = Counter(label: "ship_events_refused_total", dimensions: [("sink", "postgres")])
    }

    /// Runs the connection pool until the task is cancelled.
    public func run() async {
        await client.run()
    }

    /// Runs a sink for the duration of `body`: the pool runs beside it and stops after it.
    public static func withSink<Result: Sendable>(
        settings: PostgresSettings, logger: Logger, insertStyle: PostgresInsertStyle = .unnest,
        _ body: @Sendable (PostgresSink) async throws -> Result
    ) async throws -> Result {
        let sink = try PostgresSink(settings: settings, logger: logger, insertStyle: insertStyle)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await sink.run() }
            defer { group.cancelAll() }
            return try await body(sink)
        }
    }

    /// Events skipped since start: lines that are not storable events, and events
    /// PostgreSQL refused. Also the metric `ship_events_refused_total{sink="postgres"}`.
    public var skippedEvents: Int { skipped.withLock { $0 } }

    public func deliver(_ batch: EventBatch) async throws {
        var records: [EventRecord] = []
        records.reserveCapacity(batch.events.count)
        for event in batch.events {
            do {
                records.append(try EventRecord(parsing: event.json))
            } catch {
                skip(1, "the spooled line is not a storable event", event: event.eventID, batch: batch.id, reason: error.reason)
            }
        }
        guard !records.isEmpty else { return }
        let parsed = records
        do {
            try await withDeadline(batchTimeout) { [self] in
                try await ensureSchema()
                try await insert(parsed, batch: batch.id)
            }
        } catch let timeout as PostgresTimeout {
            // The pool retries connecting quietly; one connection of our own tells why it fails.
            if let reason = await connectionFailure() {
                throw PostgresSinkError(endpoint: endpoint, doing: "connecting", error: reason)
            }
            throw PostgresSinkError(endpoint: endpoint, doing: "delivering a batch of \(records.count) events", error: timeout)
        }
    }

    /// Creates or migrates the schema once per process (after that, each batch skips it).
    public func ensureSchema() async throws {
        if schemaReady.withLock({ $0 }) { return }
        do {
            let applied = try await PostgresSchema.migrate(client, logger: logger)
            if !applied.isEmpty {
                logger.notice("events database schema migrated", metadata: [
                    "database": "\(endpoint.display)", "versions": "\(applied.map(String.init).joined(separator: ","))",
                ])
            }
        } catch {
            throw PostgresSinkError(endpoint: endpoint, doing: "creating or migrating the schema", error: error)
        }
        schemaReady.withLock { $0 = true }
    }

    private func insert(_ records: [EventRecord], batch: String) async throws {
        do {
            try await client.withTransaction(logger: logger) { connection in
                for start in stride(from: 0, to: records.count, by: statementMaxEvents) {
                    let chunk = records[start..<(start + min(statementMaxEvents, records.count - start))]
                    try await connection.query(insertStyle.query(chunk), logger: logger)
                }
            }
        } catch let error where PostgresSinkError.isDataError(error) {
            // Some event in the batch is one PostgreSQL will never take; find it by inserting
            // one at a time, so that the others still go in and the batch does not block.
            logger.warning("PostgreSQL refused a batch; inserting its events one at a time to skip the bad ones",
                           metadata: ["batch": "\(batch)", "error": "\(PostgresSinkError.summary(error))"])
            try await insertOneByOne(records, batch: batch)
        } catch {
            throw PostgresSinkError(endpoint: endpoint, doing: "inserting a batch of \(records.count) events", error: error)
        }
    }

    private func insertOneByOne(_ records: [EventRecord], batch: String) async throws {
        var refused: [(EventRecord, String)] = []
        do {
            try await client.withTransaction(logger: logger) { connection in
                for (i, record) in records.enumerated() {
                    try await connection.query("SAVEPOINT one_event", logger: logger)
                    do {
                        try await connection.query(insertStyle.query(records[i...i]), logger: logger)
                        try await connection.query("RELEASE SAVEPOINT one_event", logger: logger)
                    } catch let error where PostgresSinkError.isDataError(error) {
                        try await connection.query("ROLLBACK TO SAVEPOINT one_event", logger: logger)
                        refused.append((record, PostgresSinkError.summary(error)))
                    }
                }
            }
        } catch {
            throw PostgresSinkError(endpoint: endpoint, doing: "inserting a batch one event at a time", error: error)
        }
        for (record, reason) in refused {
            skip(1, "PostgreSQL refused the event", event: record.eventID, batch: batch, reason: reason)
        }
    }

    /// Why a connection of its own cannot be made now, or nil when one can.
    private func connectionFailure() async -> (any Error)? {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try endpoint.connectionConfiguration(applicationName: "tracking-milter probe"), id: 0, logger: logger)
            try? await connection.close()
            return nil
        } catch {
            return error
        }
    }

    private func skip(_ count: Int, _ message: Logger.Message, event: String, batch: String, reason: String) {
        skipped.withLock { $0 += count }
        skippedCounter.increment(by: Int64(count))
        logger.error("\(message); skipped", metadata: [
            "sink": "postgres", "event_id": "\(event.prefix(128))", "batch": "\(batch)", "reason": "\(reason)",
        ])
    }
}

/// Runs `body`, or throws `PostgresTimeout` once `limit` has passed (cancelling `body`).
func withDeadline<Result: Sendable>(
    _ limit: Duration, _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw PostgresTimeout(limit: limit)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw PostgresTimeout(limit: limit) }
        return first
    }
}

/// A batch took longer than `events.postgres.batch_timeout`.
struct PostgresTimeout: Error, CustomStringConvertible {
    let limit: Duration
    var description: String {
        "no answer within \(limit.components.seconds) s (events.postgres.batch_timeout); is the server up and reachable?"
    }
}

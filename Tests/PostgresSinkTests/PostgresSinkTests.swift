import EventShipping
import Foundation
import Logging
import PostgresNIO
import PostgresTestSupport
import Testing
import TrackingRuntime

/// The sink against a real PostgreSQL, a fresh database per test.
@Suite("PostgreSQL sink", .enabled(if: TestDatabase.available, "\(TestDatabase.skipNote)"))
struct PostgresSinkTests {
    let logger = Logger(label: "postgres-sink-test")

    @Test("a batch lands with its columns filled and the whole object in payload")
    func columnsAndPayload() async throws {
        try await TestDatabase.with { db in
            let injection = TestEvents.newID(), click = TestEvents.newID(), open = TestEvents.newID()
            let time = Date(timeIntervalSince1970: 1_796_000_000.123)
            let lines = [
                TestEvents.line(id: injection, type: "injection", time: time, customer: "42", extra: ["subject": .string("Hello")]),
                TestEvents.line(id: click, type: "click", rcpt: nil, linkName: "pricing", linkURL: "https://example.com/p"),
                TestEvents.line(id: open, type: "open", campaign: nil, machine: "Apple Mail Privacy Protection"),
            ]
            try await PostgresSink.withSink(settings: db.settings, logger: logger) { sink in
                try await sink.deliver(TestEvents.batch(lines))
            }
            try await db.withConnection { connection in
                let rows = try await connection.query("""
                    SELECT event_id, type, ts, message_id, rcpt_to, campaign_id, customer_id, target_link_url,
                           target_link_name, machine, payload->>'subject'
                    FROM tracking_events ORDER BY type
                    """, logger: logger)
                var seen: [String: (String, Date, String?, String?, String?, String?, String?, String?, String?, String?)] = [:]
                for try await (id, type, ts, message, rcpt, campaign, customer, url, name, machine, subject)
                    in rows.decode((String, String, Date, String?, String?, String?, String?, String?, String?, String?, String?).self) {
                    seen[id] = (type, ts, message, rcpt, campaign, customer, url, name, machine, subject)
                }
                #expect(seen.count == 3)
                let i = try #require(seen[injection])
                #expect(i.0 == "injection")
                #expect(abs(i.1.timeIntervalSince1970 - 1_796_000_000.123) < 0.001_1)  // written to the millisecond, cut
                #expect(i.2 == "0123456789abcdef0123")
                #expect(i.3 == "rcpt@example.com")
                #expect(i.4 == "spring")
                #expect(i.5 == "42")
                #expect(i.9 == "Hello")
                let c = try #require(seen[click])
                #expect(c.3 == nil)
                #expect(c.6 == "https://example.com/p")
                #expect(c.7 == "pricing")
                let o = try #require(seen[open])
                #expect(o.4 == nil)
                #expect(o.8 == "Apple Mail Privacy Protection")
            }
        }
    }

    @Test("delivering the same batch again, or one with an event twice, stores each event once")
    func idempotentRedelivery() async throws {
        try await TestDatabase.with { db in
            let lines = (0..<500).map { i in TestEvents.line(type: i % 2 == 0 ? "open" : "click", linkName: "l\(i % 7)") }
            try await PostgresSink.withSink(settings: db.settings, logger: logger) { sink in
                try await sink.deliver(TestEvents.batch(lines))
                try await sink.deliver(TestEvents.batch(lines))
                try await sink.deliver(TestEvents.batch(Array(lines[100..<200]) + Array(lines[100..<200])))
            }
            #expect(try await db.eventCount() == 500)
            // A second sink (another process after a restart) delivering it again.
            try await PostgresSink.withSink(settings: db.settings, logger: logger) { sink in
                try await sink.deliver(TestEvents.batch(lines))
            }
            #expect(try await db.eventCount() == 500)
        }
    }

    @Test("both insert styles store a batch larger than one VALUES statement holds (5,957 events)")
    func bothInsertStyles() async throws {
        try await TestDatabase.with { db in
            let lines = (0..<6000).map { _ in TestEvents.line(type: "injection") }
            for style in PostgresInsertStyle.allCases {
                try await PostgresSink.withSink(settings: db.settings, logger: logger, insertStyle: style) { sink in
                    try await sink.deliver(TestEvents.batch(lines))
                }
                #expect(try await db.eventCount() == 6000)
            }
        }
    }

    @Test("migrations: a second run applies nothing; eight processes starting at once all succeed")
    func migrationsTwiceAndConcurrently() async throws {
        try await TestDatabase.with { db in
            let endpoint = try PostgresEndpoint(db.settings)
            let applied = try await withThrowingTaskGroup(of: [Int32].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let client = PostgresClient(configuration: endpoint.clientConfiguration(statementTimeout: .seconds(20), maximumConnections: 1))
                        return try await withThrowingTaskGroup(of: [Int32].self) { inner in
                            inner.addTask { await client.run(); return [] }
                            defer { inner.cancelAll() }
                            return try await PostgresSchema.migrate(client, logger: logger)
                        }
                    }
                }
                var all: [[Int32]] = []
                for try await versions in group { all.append(versions) }
                return all
            }
            // Exactly one of them created the schema; the others found it done.
            #expect(applied.filter { !$0.isEmpty } == [[PostgresSchema.latestVersion]])
            #expect(applied.count == 8)
            try await PostgresSink.withSink(settings: db.settings, logger: logger) { sink in
                try await sink.ensureSchema()
                try await sink.deliver(TestEvents.batch([TestEvents.line(type: "open")]))
            }
            try await db.withConnection { connection in
                var versions: [Int32] = []
                for try await v in try await connection.query("SELECT version FROM schema_migrations ORDER BY version", logger: logger).decode(Int32.self) {
                    versions.append(v)
                }
                #expect(versions == [PostgresSchema.latestVersion])
                var indexes: [String] = []
                for try await name in try await connection.query(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'tracking_events' ORDER BY indexname", logger: logger
                ).decode(String.self) {
                    indexes.append(name)
                }
                #expect(indexes == ["tracking_events_campaign_type", "tracking_events_message", "tracking_events_pkey"])
            }
        }
    }

    @Test("lines that are not storable events are skipped and counted; the rest of the batch lands")
    func malformedLinesSkipped() async throws {
        try await TestDatabase.with { db in
            let good = (0..<3).map { _ in TestEvents.line(type: "click", linkName: "a") }
            let bad: [[UInt8]] = [
                Array("not json at all".utf8),
                Array(#"{"type":"open","timestamp":"2026-12-05T11:20:07.123Z"}"#.utf8),  // no event_id
                Array(#"{"event_id":"x1","type":"open","timestamp":"yesterday"}"#.utf8),
                Array(#"{"event_id":"x2","type":"open","timestamp":"2026-12-05T11:20:07Z","campaign_id":7}"#.utf8),
                [0x7B, 0xFF, 0x7D],  // not UTF-8
                Array(#"{"event_id":"x3","type":"open","timestamp":"2026-12-05T11:20:07Z","#.utf8),  // cut short
            ]
            try await PostgresSink.withSink(settings: db.settings, logger: logger) { sink in
                try await sink.deliver(TestEvents.batch([bad[0], good[0], bad[1], bad[2], good[1], bad[3], bad[4], bad[5], good[2]]))
                #expect(sink.skippedEvents == 6)
                // A batch of nothing but bad lines is done with, not retried forever.
                try await sink.deliver(TestEvents.batch(bad))
                #expect(sink.skippedEvents == 12)
            }
            #expect(try await db.eventCount() == 3)
        }
    }

    @Test("an event PostgreSQL itself refuses (a LATIN1 database, a Japanese subject) is skipped; the others land")
    func refusedByServerSkipped() async throws {
        try await TestDatabase.with(encoding: "LATIN1") { db in
            let lines = [
                TestEvents.line(type: "injection", extra: ["subject": .string("café")]),
                TestEvents.line(type: "injection", extra: ["subject": .string("日本語")]),
                TestEvents.line(type: "open"),
            ]
            try await PostgresSink.withSink(settings: db.settings, logger: logger) { sink in
                try await sink.deliver(TestEvents.batch(lines))
                #expect(sink.skippedEvents == 1)
            }
            #expect(try await db.eventCount() == 2)
        }
    }

    @Test("a \\u0000 escape, which jsonb refuses, is stored as U+FFFD")
    func nulEscapeStored() async throws {
        try await TestDatabase.with { db in
            let line = TestEvents.line(type: "open", extra: ["user_agent": .string("a\u{0}b")])
            #expect(String(decoding: line, as: UTF8.self).contains(#"a\u0000b"#))
            try await PostgresSink.withSink(settings: db.settings, logger: logger) { sink in
                try await sink.deliver(TestEvents.batch([line]))
            }
            try await db.withConnection { connection in
                for try await agent in try await connection.query("SELECT payload->>'user_agent' FROM tracking_events", logger: logger).decode(String.self) {
                    #expect(agent == "a\u{FFFD}b")
                }
            }
            #expect(try await db.eventCount() == 1)
        }
    }

    @Test("the server dropping the sink's connections: deliver throws or succeeds, never hangs, and the next batches land")
    func reconnectsAfterConnectionsAreKilled() async throws {
        try await TestDatabase.with { db in
            let first = (0..<100).map { _ in TestEvents.line(type: "open") }
            let second = (0..<100).map { _ in TestEvents.line(type: "click", linkName: "x") }
            try await PostgresSink.withSink(settings: db.settings, logger: logger) { sink in
                try await sink.deliver(TestEvents.batch(first))
                let killed = try await db.withConnection { connection in
                    var n = 0
                    for try await _ in try await connection.query("""
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE datname = current_database() AND application_name = 'tracking-milter'
                        """, logger: logger).decode(Bool.self) { n += 1 }
                    return n
                }
                #expect(killed >= 1)
                // As the shipper does: offer the batch again until it goes in (bounded here).
                var failures = 0
                var delivered = false
                for _ in 0..<20 where !delivered {
                    do {
                        try await sink.deliver(TestEvents.batch(second))
                        delivered = true
                    } catch {
                        failures += 1
                        #expect("\(error)".contains("PostgreSQL at 127.0.0.1:"))
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                #expect(delivered)
                #expect(failures <= 2)
            }
            #expect(try await db.eventCount() == 200)
        }
    }

    @Test("no server at the address: deliver throws within batch_timeout, naming the address")
    func unreachableServerThrows() async throws {
        var settings = PostgresSettings(url: "postgres://tracking:x@127.0.0.1:9/tracking")
        settings.batchTimeout = 3
        settings.connectTimeout = 1
        let started = ContinuousClock.now
        do {
            try await PostgresSink.withSink(settings: settings, logger: logger) { sink in
                try await sink.deliver(TestEvents.batch([TestEvents.line(type: "open")]))
            }
            Issue.record("delivered to a closed port")
        } catch let error as PostgresSinkError {
            #expect(error.description.contains("127.0.0.1:9"))
            #expect(error.description.contains("is PostgreSQL running"))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a wrong password is reported with what to check")
    func wrongPassword() async throws {
        try await TestDatabase.with { db in
            var settings = db.settings
            settings.url = settings.url.replacingOccurrences(of: ":tracking-test@", with: ":wrong@")
            settings.batchTimeout = 3
            do {
                try await PostgresSink.withSink(settings: settings, logger: logger) { sink in
                    try await sink.deliver(TestEvents.batch([TestEvents.line(type: "open")]))
                }
                Issue.record("delivered with a wrong password")
            } catch let error as PostgresSinkError {
                #expect(error.description.contains("28P01"))
                #expect(error.description.contains("password"))
            }
        }
    }
}

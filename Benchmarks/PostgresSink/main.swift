// Events per second batched into PostgreSQL by PostgresSink, for Benchmarks/run-postgres-sink.
//
//   postgres-sink-bench URL EVENTS BATCH [unnest|values|both]
//
// Empties tracking_events in the database at URL, then delivers EVENTS realistic events
// (opens, clicks, injections of their own ids) in batches of BATCH, one after the other as
// the shipper does, and prints the rate per insert style. Parsing each line is included.
import EventShipping
import Foundation
import Logging
import PostgresNIO
import Tracking
import TrackingRuntime

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("postgres-sink-bench: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let total = Int(arguments[2]), total > 0, let batchSize = Int(arguments[3]), batchSize > 0 else {
    fail("usage: postgres-sink-bench URL EVENTS BATCH [unnest|values|both]")
}
let styles: [PostgresInsertStyle] = switch arguments.count > 4 ? arguments[4] : "both" {
case "unnest": [.unnest]
case "values": [.multiRowValues]
default: PostgresInsertStyle.allCases
}
var settings = PostgresSettings(url: arguments[1])
settings.batchTimeout = 600

func hex(_ count: Int) -> String { (0..<count).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined() }

func makeLines(_ count: Int) -> [[UInt8]] {
    let base = Date()
    return (0..<count).map { i in
        let kind = ["open", "click", "injection", "initial_open"][i % 4]
        var line = #"{"type":"\#(kind)","event_id":"\#(hex(32))","timestamp":"\#(Timestamp.format(base.addingTimeInterval(Double(i) / 1000)))","#
        line += #""message_id":"\#(hex(20))","rcpt_to":"recipient\#(i)@example.org","customer_id":"1042","campaign_id":"spring-\#(i % 5)","#
        line += #""rcpt_meta":{"customer_tier":"gold","order":\#(i)},"rcpt_tags":["spring","buyers"]"#
        if kind == "click" {
            line += #","target_link_url":"https://shop.example.com/spring/item-\#(i)?utm_source=mail","target_link_name":"item-\#(i % 10)""#
        }
        if kind == "injection" {
            line += #","subject":"Spring sale: 20% off everything","friendly_from":"shop@example.com","msg_from":"bounces@example.com","#
            line += #""msg_size":"48213","transactional":"0","injection_time":"\#(Timestamp.format(base))","queue_id":"4ABCD1234""#
        } else {
            line += #","user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0","ip_address":"198.51.100.\#(i % 250)","machine":null"#
        }
        return Array((line + "}").utf8)
    }
}

/// Delivers `total` events in batches of `batchSize` with `style`; prints and checks the rate.
func measure(_ style: PostgresInsertStyle, settings: PostgresSettings, total: Int, batchSize: Int) async throws {
    let logger = Logger(label: "postgres-sink-bench")
    let lines = makeLines(total)
    let batches = stride(from: 0, to: lines.count, by: batchSize).map { start in
        EventBatch(id: "b\(start)", events: lines[start..<min(start + batchSize, lines.count)].map {
            SpooledEvent(json: $0, eventID: "", type: "")
        })
    }
    try await PostgresSink.withSink(settings: settings, logger: logger, insertStyle: style) { sink in
        try await sink.ensureSchema()
        let configuration = try sink.endpoint.connectionConfiguration(applicationName: "postgres-sink-bench")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        try await connection.query("TRUNCATE tracking_events", logger: logger)
        // One warm-up batch, not counted, then the run.
        try await sink.deliver(batches[0])
        try await connection.query("TRUNCATE tracking_events", logger: logger)
        let started = ContinuousClock.now
        for batch in batches { try await sink.deliver(batch) }
        let elapsed = ContinuousClock.now - started
        var rows = 0
        for try await n in try await connection.query("SELECT count(*) FROM tracking_events", logger: logger).decode(Int.self) { rows = n }
        try await connection.close()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard rows == total else { fail("\(rows) rows after delivering \(total) events") }
        print(String(format: "%@: %d events in batches of %d: %.2f s, %.0f events/s", style.rawValue, total, batchSize,
                     seconds, Double(total) / seconds))
    }
}

do {
    for style in styles {
        try await measure(style, settings: settings, total: total, batchSize: batchSize)
    }
} catch {
    fail("\(error)")
}

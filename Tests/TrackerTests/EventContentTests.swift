import EventSpool
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Tracker
import Tracking
import TrackingRuntime

@Suite("Event lines")
struct EventContentTests {
    static let clickFields = [
        "type", "event_id", "timestamp", "message_id", "rcpt_to", "customer_id", "campaign_id", "rcpt_meta", "rcpt_tags",
        "target_link_url", "target_link_name", "user_agent", "ip_address", "machine",
    ]
    static let openFields = clickFields.filter { !$0.hasPrefix("target_link") }

    @Test("a click event carries every sealed field with SparkPost's names, in order")
    func click() async throws {
        let now = Date(timeIntervalSince1970: 1_764_084_714.0056)
        let fixture = TrackerFixture(now: { now })
        let (text, token) = try fixture.click(target: "https://shop.example/p?a=1&b=\"2\"", linkName: "Buy \"now\"\n€")
        let userAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
        _ = try await fixture.withServer { try await $0.get("/f/pricing/\(text)", userAgent: userAgent) }
        let line = try #require(fixture.events.lines.first)
        #expect(fixture.events.lines.count == 1)
        #expect(!line.contains("\n"))
        #expect(Self.keyOrder(line) == Self.clickFields)
        let event = try #require(fixture.eventObjects.first)
        #expect(event["type"] as? String == "click")
        #expect(event["timestamp"] as? String == "2025-11-25T15:31:54.005Z")
        #expect(event["message_id"] as? String == MessageID(bytes: token.messageID).description)
        #expect((event["message_id"] as? String)?.count == 20)
        #expect(event["rcpt_to"] as? String == "jane@example.org")
        #expect(event["customer_id"] as? String == "customer-17")
        #expect(event["campaign_id"] as? String == "spring-2026")
        let meta = try #require(event["rcpt_meta"] as? [String: Any])
        #expect(meta["plan"] as? String == "gold" && meta["seq"] as? Int == 42 && meta.count == 2)
        #expect(event["rcpt_tags"] as? [String] == ["promo", "q2"])
        #expect(event["target_link_url"] as? String == "https://shop.example/p?a=1&b=\"2\"")
        #expect(event["target_link_name"] as? String == "Buy \"now\"\n€")
        #expect(event["user_agent"] as? String == userAgent)
        #expect(event["ip_address"] as? String == "127.0.0.1")
        #expect(event["machine"] is NSNull)
    }

    @Test("open and initial_open events carry every sealed field and no link fields")
    func opens() async throws {
        let fixture = TrackerFixture()
        let (open, openToken) = try fixture.open()
        let (initial, initialToken) = try fixture.open(initial: true)
        _ = try await fixture.withServer { client in
            _ = try await client.get("/q/\(open)", userAgent: "Thunderbird/140")
            _ = try await client.get("/q/\(initial)")
        }
        let lines = fixture.events.lines
        #expect(lines.count == 2)
        #expect(lines.map(Self.keyOrder) == [Self.openFields, Self.openFields])
        let events = fixture.eventObjects
        for (event, token, type) in [(events[0], openToken, "open"), (events[1], initialToken, "initial_open")] {
            #expect(event["type"] as? String == type)
            #expect(event["message_id"] as? String == MessageID(bytes: token.messageID).description)
            #expect(event["rcpt_to"] as? String == "jane@example.org")
            #expect(event["customer_id"] as? String == "customer-17")
            #expect(event["campaign_id"] as? String == "spring-2026")
            #expect((event["rcpt_meta"] as? [String: String]) == ["plan": "gold"])
            #expect(event["rcpt_tags"] as? [String] == ["promo"])
            #expect(event["ip_address"] as? String == "127.0.0.1")
            #expect(event["machine"] is NSNull)
        }
        #expect(events[0]["user_agent"] as? String == "Thunderbird/140")
        #expect(events[1]["user_agent"] is NSNull)
    }

    @Test("an unsubscribe link records link_unsubscribe; shared-mode tokens have a null recipient")
    func unsubscribeAndShared() async throws {
        let fixture = TrackerFixture()
        let (unsubscribe, _) = try fixture.click(unsubscribe: true)
        let (shared, _) = try fixture.click(recipient: nil)
        let (bare, _) = try fixture.seal { TrackingToken(kind: .open, messageID: $0, expiry: TrackerFixture.future) }
        _ = try await fixture.withServer { client in
            _ = try await client.get("/f/a/\(unsubscribe)")
            _ = try await client.get("/f/a/\(shared)")
            _ = try await client.get("/q/\(bare)")
        }
        let events = fixture.eventObjects
        #expect(events.map { $0["type"] as? String } == ["link_unsubscribe", "click", "open"])
        #expect(events[0]["rcpt_to"] as? String == "jane@example.org")
        #expect(events[1]["rcpt_to"] is NSNull)
        #expect(events[2]["rcpt_to"] is NSNull && events[2]["customer_id"] is NSNull && events[2]["campaign_id"] is NSNull)
        #expect((events[2]["rcpt_meta"] as? [String: Any])?.isEmpty == true)
        #expect((events[2]["rcpt_tags"] as? [Any])?.isEmpty == true)
    }

    @Test("the event line is valid JSON for any sealed text")
    func escaping() throws {
        let nasty = "q\"b\\s\u{01}\u{7F}\t\r\n😀 é"
        let token = TrackingToken(kind: .click, targetURL: "https://x.example/", linkName: nasty, messageID: [UInt8](repeating: 1, count: 10),
                                  recipient: nasty, customerID: nasty, campaignID: nasty,
                                  metadata: #"{"k":"v \"q\" \\ é"}"#, tags: [nasty, ""], expiry: 1)
        let line = TrackerEvent(token: token, id: EventID.random(), time: Date(timeIntervalSince1970: 0), userAgent: nasty, ipAddress: "::1",
                                machine: "apple_mpp").jsonLine
        #expect(!line.contains("\n") && !line.contains("\r"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for key in ["target_link_name", "rcpt_to", "customer_id", "campaign_id", "user_agent"] {
            #expect(object[key] as? String == nasty, "\(key)")
        }
        #expect(object["rcpt_tags"] as? [String] == [nasty, ""])
        #expect((object["rcpt_meta"] as? [String: String]) == ["k": "v \"q\" \\ é"])
        #expect(object["timestamp"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(object["machine"] as? String == "apple_mpp")
        // Metadata that is not a JSON object (only an incompatible build could seal it) becomes {}.
        #expect(EventLine.metadataObject("[1,2]") == "{}")
        #expect(EventLine.metadataObject("{\"a\":\n1}") == #"{"a":1}"#)
        #expect(EventLine.metadataObject(nil) == "{}")
    }

    @Test("events appended to a file, one whole line per hit, reopened after rotation")
    func fileWriter() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracker-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("events.jsonl").path
        try "old\n".write(toFile: path, atomically: true, encoding: .utf8)
        let writer = try FileEventWriter(appendingTo: path)
        writer.write(line: #"{"n":1}"#)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n{\"n\":1}\n")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        writer.write(line: #"{"n":2}"#)
        try writer.reopen()
        writer.write(line: #"{"n":3}"#)
        #expect(try String(contentsOfFile: path + ".1", encoding: .utf8) == "old\n{\"n\":1}\n{\"n\":2}\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"n\":3}\n")
        #expect(throws: FileEventWriter.OpenError.self) { try FileEventWriter(appendingTo: dir.path + "/missing/dir/x") }
    }

    /// Top-level keys in the order they appear in the line.
    static func keyOrder(_ line: String) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return [] }
        return object.keys.sorted { a, b in
            line.range(of: "\"\(a)\":")!.lowerBound < line.range(of: "\"\(b)\":")!.lowerBound
        }
    }
}

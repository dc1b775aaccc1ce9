import EventSpool
import Foundation
import Testing
import Tracking
@testable import TrackingMilter
import TrackingRuntime

/// Injection events: what the milter appends to the spool for a tracked message.
@Suite("Injection events in the spool")
struct InjectionSpoolTests {
    struct Spooled {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inj-\(UUID().uuidString)").path
        let writer: SpoolWriter

        init() throws {
            writer = try SpoolWriter(directory: path, producer: .milter,
                                     limits: .init(maxBytes: 1 << 20, segmentBytes: 1 << 16, whenFull: .dropOldest), logger: nil)
        }

        var events: [[String: Any]] {
            let spool = SpoolDirectory(path: path)
            let segments = (try? spool.segments()) ?? []
            return segments.flatMap { segment in
                ((try? spool.readLines(segment, from: 0, maxBytes: 1 << 20).lines) ?? []).compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
                }
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    static let fields = [
        "type", "event_id", "timestamp", "message_id", "rcpt_to", "customer_id", "campaign_id", "rcpt_meta", "rcpt_tags",
        "subject", "friendly_from", "msg_from", "msg_size", "transactional", "injection_time", "queue_id",
    ]

    @Test("a tracked message in shared mode spools one injection per recipient, with the message id its URLs carry")
    func sharedRecipients() throws {
        let spooled = try Spooled()
        defer { spooled.remove() }
        let f = try SessionFixture("milter:\n  recipient_mode: shared\ntracking:\n  click_tracking_enabled: true\n", spool: spooled.writer)
        f.send(apiHeader: [#"{"campaign_id":"spring","metadata":{"k":"v"},"tags":["a"]}"#],
               recipients: ["<one@example.com>", "<two@example.com>"], auth: "cust-7")
        let body = String(decoding: try #require(f.driver.context.replacedBody), as: UTF8.self)
        let url = try #require(body.split(separator: "\r\n").first { $0.contains("/f/") })
        let token = try TrackingToken.open(try #require(url.split(separator: "/").last), with: f.keyring)
        let events = spooled.events
        #expect(events.count == 2)
        #expect(events.map { $0["rcpt_to"] as? String } == ["one@example.com", "two@example.com"])
        for event in events {
            #expect(Set(event.keys) == Set(Self.fields))
            #expect(event["type"] as? String == "injection")
            #expect(event["message_id"] as? String == Hex.lower(token.messageID))
            #expect((event["event_id"] as? String)?.range(of: "^[0-9a-f]{32}$", options: .regularExpression) != nil)
            #expect(event["campaign_id"] as? String == "spring")
            #expect(event["customer_id"] as? String == "cust-7")
            #expect(event["rcpt_meta"] as? [String: String] == ["k": "v"])
            #expect(event["rcpt_tags"] as? [String] == ["a"])
            #expect(event["subject"] as? String == "hello")
            #expect(event["friendly_from"] as? String == "a@example.net")
            #expect(event["msg_from"] as? String == "a@example.net")
            #expect(event["transactional"] as? String == "0")
            #expect(event["queue_id"] as? String == "QID1")
            #expect(Int(event["msg_size"] as? String ?? "") ?? 0 > 28)
            #expect(event["injection_time"] as? String == event["timestamp"] as? String)
        }
        #expect(events[0]["event_id"] as? String != events[1]["event_id"] as? String)
        #expect(spooled.writer.status.appendedEvents == 2)
    }

    @Test("a message that is not rewritten spools nothing")
    func untracked() throws {
        let spooled = try Spooled()
        defer { spooled.remove() }
        let f = try SessionFixture("", spool: spooled.writer)
        f.send()
        #expect(f.driver.context.replacedBody == nil)
        #expect(spooled.events.isEmpty)
    }
}

import Foundation
import Testing
import Tracking
import TrackingRuntime
@testable import EventShipping

@Suite("Webhook format: SparkPost wrapping, batch ids, backoff, signature")
struct WebhookFormatTests {
    static let types = ["injection", "click", "open", "initial_open", "list_unsubscribe", "link_unsubscribe"]

    static func event(_ type: String, _ n: Int) -> SpooledEvent {
        let id = String(format: "%032x", n)
        let json = #"{"type":"\#(type)","event_id":"\#(id)","timestamp":"2026-12-05T11:20:07.123Z","rcpt_meta":{"n":\#(n)},"subject":"h\u00e9 \"q\""}"#
        return SpooledEvent(line: Array(json.utf8))!
    }

    @Test("every type is wrapped in SparkPost's category, in order, the event unchanged")
    func wrapping() throws {
        let events = Self.types.enumerated().map { Self.event($0.element, $0.offset) }
        let body = SparkPostBody.make(events)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        #expect(array.count == events.count)
        let expected = [
            "injection": "message_event", "click": "track_event", "open": "track_event", "initial_open": "track_event",
            "list_unsubscribe": "unsubscribe_event", "link_unsubscribe": "unsubscribe_event",
        ]
        for (item, event) in zip(array, events) {
            #expect(item.count == 1)
            let msys = try #require(item["msys"] as? [String: Any])
            #expect(msys.count == 1)
            let category = try #require(msys.keys.first)
            #expect(category == expected[event.type], "\(event.type) went to \(category)")
            let inner = try #require(msys[category] as? [String: Any])
            let original = try #require(try JSONSerialization.jsonObject(with: Data(event.json)) as? [String: Any])
            #expect(NSDictionary(dictionary: inner).isEqual(to: original))
            #expect(inner["subject"] as? String == "hé \"q\"")
        }
        #expect(SparkPostBody.make([]) == Array("[]".utf8))
        #expect(SparkPostCategory(eventType: "something_new") == .messageEvent)
    }

    @Test("lines that are not events are refused, not trapped on")
    func badLines() {
        for line in ["", "{", "[]", #"{"type":"click"}"#, #"{"event_id":"a"}"#, #"{"type":1,"event_id":"a"}"#,
                     #"{"type":"click","event_id":""}"#, "\u{0}\u{ff}"] {
            #expect(SpooledEvent(line: Array(line.utf8)) == nil, "\(line)")
        }
        let ok = SpooledEvent(line: Array(#"{"type":"open","event_id":"e1","timestamp":"2026-12-05T11:20:07.123Z"}"#.utf8))
        #expect(ok?.eventID == "e1" && ok?.type == "open")
        #expect(abs((ok?.timestamp.flatMap { Timestamp.parse($0)?.timeIntervalSince1970 } ?? 0) - 1_796_469_607.123) < 0.0005)
    }

    @Test("a batch id depends only on segment, offset and count: stable across retries and restarts")
    func batchIDs() {
        let id = BatchID.make(segment: "seg-1", offset: 0, count: 3)
        #expect(id == "7de01dcc653939e4a59dae45fcfd0cf2")  // sha256("seg-1:0:3"), first 16 bytes
        #expect(id == BatchID.make(segment: "seg-1", offset: 0, count: 3))
        let others = [BatchID.make(segment: "seg-2", offset: 0, count: 3), BatchID.make(segment: "seg-1", offset: 1, count: 3),
                      BatchID.make(segment: "seg-1", offset: 0, count: 4)]
        #expect(Set(others + [id]).count == 4)
    }

    @Test("backoff doubles from the initial wait up to the cap, jitter within half a step")
    func backoff() {
        let b = Backoff(initial: .seconds(1), maximum: .seconds(600))
        let steps = (1...12).map { b.step(afterFailures: $0) }
        #expect(steps == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600].map { Duration.seconds($0) })
        #expect(b.step(afterFailures: 10_000) == .seconds(600))
        #expect(b.delay(afterFailures: 3, random: 0) == .seconds(2))
        #expect(b.delay(afterFailures: 3, random: 1) == .seconds(4))
        #expect(b.delay(afterFailures: 3, random: 0.5) == .seconds(3))
        #expect(b.delay(afterFailures: 3, random: 7) == .seconds(4))
        // 8 hours of retries at the default schedule: a bounded number of attempts.
        var total = Duration.zero
        var attempts = 0
        while total < .seconds(8 * 3600) {
            attempts += 1
            total += b.delay(afterFailures: attempts, random: 0.5)
        }
        #expect((70...76).contains(attempts), "\(attempts)")
    }

    @Test("the signature is the hex HMAC-SHA256 of timestamp.body")
    func signature() {
        let sig = WebhookSignature.sign(body: Array(#"[{"a":1}]"#.utf8), timestamp: 1_700_000_000, secret: Secret("key"))
        // python3: hmac.new(b"key", b'1700000000.[{"a":1}]', hashlib.sha256).hexdigest()
        #expect(sig == "3df7ca146306653c166f4820bec8f052eb597d49353968a70eb4584eb7059b39")
        #expect(WebhookSignature.sign(body: [0x5B, 0x5D], timestamp: 1_700_000_000, secret: Secret("key")) != sig)
    }

    @Test("secrets never show in descriptions")
    func secretsHidden() {
        var settings = WebhookSettings(name: "x", url: "https://h.example/")
        settings.auth = .basic(username: "u", password: Secret("hunter2"))
        settings.signingSecret = Secret("topsecret")
        settings.headers = [WebhookHeader(name: "X-Api-Key", value: Secret("k-123"))]
        let text = "\(settings) \(String(reflecting: settings))"
        #expect(!text.contains("hunter2") && !text.contains("topsecret") && !text.contains("k-123"))
    }
}

import EventShipping
import Foundation
import Testing
import TrackingRuntime

/// Reading the routed fields out of an event line, and refusing what no database would store.
@Suite("event lines read for sinks and the report")
struct EventRecordTests {
    func parse(_ text: String) throws(EventParseError) -> EventRecord {
        try EventRecord(parsing: Array(text.utf8))
    }

    func reason(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("the producers' fields, nested values skipped, escapes decoded")
    func fields() throws {
        let line = #"""
            { "type":"click","event_id":"0123456789abcdef0123456789abcdef","timestamp":"2026-12-05T11:20:07.123Z",
              "message_id":"00112233445566778899","rcpt_to":"a\u00e9@example.com","customer_id":null,"campaign_id":"c\"1",
              "rcpt_meta":{"k":[1,-2.5e3,true,false,null,{"x":"\ud83d\ude00"}]},"rcpt_tags":["t"],
              "target_link_url":"https:\/\/example.com\/a?b=c","target_link_name":"buy","user_agent":"UA","machine":null }
            """#
        let record = try parse(line)
        #expect(record.eventID == "0123456789abcdef0123456789abcdef")
        #expect(record.type == "click")
        #expect(record.timestamp == Date(timeIntervalSince1970: 1_796_469_607.123))
        #expect(record.messageID == "00112233445566778899")
        #expect(record.rcptTo == "aé@example.com")
        #expect(record.customerID == nil)
        #expect(record.campaignID == "c\"1")
        #expect(record.targetLinkURL == "https://example.com/a?b=c")
        #expect(record.targetLinkName == "buy")
        #expect(record.machine == nil)
        #expect(!record.isMachine)
        #expect(record.json == line)
    }

    @Test("a member given twice: the last one counts, as in jsonb")
    func duplicateMember() throws {
        let record = try parse(#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","campaign_id":"x","campaign_id":"y"}"#)
        #expect(record.campaignID == "y")
    }

    @Test("\\u0000 reads as U+FFFD, in the field and in the stored text")
    func nulEscape() throws {
        let record = try parse(#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","machine":"x\u0000y","ua":"\\u0000"}"#)
        #expect(record.machine == "x\u{FFFD}y")
        #expect(record.json == #"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","machine":"x\ufffdy","ua":"\\u0000"}"#)
    }

    @Test("what cannot be stored is refused with a reason", arguments: [
        ("", "not a JSON object"),
        ("[1]", "not a JSON object"),
        (#"{"type":"open","timestamp":"2026-12-05T11:20:07Z"}"#, "no event_id"),
        (#"{"event_id":"","type":"open","timestamp":"2026-12-05T11:20:07Z"}"#, "no event_id"),
        (#"{"event_id":"a","timestamp":"2026-12-05T11:20:07Z"}"#, "no type"),
        (#"{"event_id":"a","type":"open"}"#, "no timestamp"),
        (#"{"event_id":"a","type":"open","timestamp":"2026-02-30T11:20:07Z"}"#, "is not RFC 3339"),
        (#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","rcpt_to":5}"#, "rcpt_to is neither a string nor null"),
        (#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z"} x"#, "the end after the object"),
        (#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","#, "a member name"),
        (#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","x":"\ud800"}"#, "high surrogate"),
        (#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","x":"\udc00"}"#, "lone low surrogate"),
        (#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","x":"\q"}"#, "unknown escape"),
        (#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","x":1e99999}"#, "exponent past"),
        (#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","x":01}"#, "',' or '}'"),
        (#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","x":tru}"#, "a value"),
        ("{\"event_id\":\"a\u{1}\",\"type\":\"open\",\"timestamp\":\"2026-12-05T11:20:07Z\"}", "control character"),
    ])
    func refused(_ text: String, _ expected: String) {
        let why = reason(text)
        #expect(why?.contains(expected) == true, "\(text): \(why ?? "accepted")")
    }

    @Test("nesting is bounded, and so is the line")
    func bounds() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(reason(#"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","x":"# + deep + "}")?.contains("nested deeper") == true)
        let long = #"{"event_id":"a","type":"open","timestamp":"2026-12-05T11:20:07Z","x":""# + String(repeating: "a", count: EventRecord.maxBytes) + #""}"#
        #expect(reason(long)?.contains("longer than") == true)
        #expect((try? EventRecord(parsing: [0x7B, 0xC3, 0x7D])) == nil)
    }

    @Test("random bytes and cut lines never trap")
    func fuzz() {
        let seed = Array(#"{"event_id":"0123","type":"open","timestamp":"2026-12-05T11:20:07Z","rcpt_meta":{"a":[1,"\u00e9",{"b":null}]}}"#.utf8)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let i = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: i)
                default: bytes = Array(bytes[..<i])
                }
                if bytes.isEmpty { break }
            }
            _ = try? EventRecord(parsing: bytes)
        }
    }
}

import Foundation
import Testing
import Tracking

@Suite("Injection event lines")
struct InjectionEventTests {
    struct Counting: RandomNumberGenerator {
        var state: UInt64 = 0
        mutating func next() -> UInt64 {
            state &+= 0x0101_0101_0101_0101
            return state
        }
    }

    func event(subject: String? = "Hi", from: String? = "Jane <jane@example.org>") -> InjectionEvent {
        InjectionEvent(
            messageID: [UInt8](repeating: 0xAB, count: 10), recipient: "r@example.com", customerID: nil, campaignID: "c1",
            metadata: #"{"k":"v"}"#, tags: ["t"], subject: subject, friendlyFrom: from, mailFrom: "bounce@example.org",
            messageSize: 1234, transactional: false, injectionTime: Date(timeIntervalSince1970: 1_764_084_714.0056), queueID: "Q1")
    }

    @Test("the line has SparkPost's field names in the documented order, the common fields first")
    func fieldOrder() throws {
        var random = Counting()
        let line = event().line(id: EventID(random: &random))
        #expect(line.last == 0x0A && !line.dropLast().contains(0x0A))
        let text = String(decoding: line.dropLast(), as: UTF8.self)
        #expect(text.hasPrefix(#"{"type":"injection","event_id":"01010101010101010202020202020202""#))
        #expect(text.contains(#""timestamp":"2025-11-25T15:31:54.005Z","message_id":"abababababababababab","rcpt_to":"r@example.com","customer_id":null,"campaign_id":"c1","rcpt_meta":{"k":"v"},"rcpt_tags":["t"],"subject":"Hi","friendly_from":"Jane <jane@example.org>","msg_from":"bounce@example.org","msg_size":"1234","transactional":"0","injection_time":"2025-11-25T15:31:54.005Z","queue_id":"Q1"}"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect((object["event_id"] as? String)?.count == 32)
    }

    @Test("event ids are 32 lower-case hex digits from 128 bits of the source handed in")
    func eventID() {
        var random = SystemRandomNumberGenerator()
        let ids = (0..<100).map { _ in EventID(random: &random).description }
        #expect(Set(ids).count == 100)
        #expect(ids.allSatisfy { $0.range(of: "^[0-9a-f]{32}$", options: .regularExpression) != nil })
    }

    @Test("the Subject is unfolded and RFC 2047 decoded; the From address is taken from the field", arguments: [
        ("=?UTF-8?B?w5xiZXIgdW5z?=", "Jane Doe <jane@example.org>", "Über uns", "jane@example.org"),
        ("Spring\r\n sale", "jane@example.org", "Spring sale", "jane@example.org"),
        ("=?bogus?Q?x?=", "\"Doe, Jane\" <jane@example.org>, bob@example.org", "=?bogus?Q?x?=", "jane@example.org"),
        ("", "a@example.org, b@example.org", "", "a@example.org"),
    ])
    func headers(subject: String, from: String, expectedSubject: String, expectedFrom: String) {
        let summary = HeaderSummary([
            HeaderField(name: "From", value: Array(from.utf8)), HeaderField(name: "SUBJECT", value: Array(subject.utf8)),
        ])
        #expect(summary.subject == expectedSubject)
        #expect(summary.friendlyFrom == expectedFrom)
        #expect(summary.headerBytes == 2 + 4 + from.utf8.count + 4 + 7 + subject.utf8.count + 4)
    }

    @Test("a sender-sized Subject is cut at a character boundary")
    func longSubject() {
        let summary = HeaderSummary([HeaderField(name: "Subject", value: Array(String(repeating: "€", count: 2000).utf8))])
        let subject = summary.subject ?? ""
        #expect(subject.utf8.count <= HeaderSummary.maxSubjectBytes && subject.utf8.count > HeaderSummary.maxSubjectBytes - 3)
        #expect(subject.allSatisfy { $0 == "€" })
        #expect(HeaderSummary([]).subject == nil && HeaderSummary([]).friendlyFrom == nil)
    }
}

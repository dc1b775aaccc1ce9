import Foundation
import Logging
import Testing
import Tracking
@testable import TrackingRuntime

@Suite("Log lines")
struct LogLineTests {
    let metadata: Logger.Metadata = [
        "outcome": "rejected", "queue_id": "4ABC", "reason": "X-MSYS-API 'metadata' must be of type 'json object'",
        "metadata": .stringConvertible(RawJSON(#"{"k":"v w"}"#)), "tags": ["a", "b"], "open": .stringConvertible(true),
        "ms": .stringConvertible(1.5), "zeta": "", "header_message_id": "<a\"b@x>\nnext",
    ]

    @Test("logfmt: SPEC order, quoting where needed, one line")
    func logfmt() {
        let line = LogLineEncoder(format: .logfmt).encode(time: "T", level: .info, message: "message", metadata: metadata)
        #expect(line == #"time=T level=info msg=message queue_id=4ABC header_message_id="<a\"b@x>\nnext" open=true metadata="{\"k\":\"v w\"}" tags=a,b ms=1.5 outcome=rejected reason="X-MSYS-API 'metadata' must be of type 'json object'" zeta="""#)
        #expect(!line.contains("\n"))
    }

    @Test("json: a valid object with typed values and embedded metadata")
    func json() throws {
        let line = LogLineEncoder(format: .json).encode(time: "T", level: .warning, message: "m", metadata: metadata)
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "warning")
        #expect(object["open"] as? Bool == true)
        #expect(object["ms"] as? Double == 1.5)
        #expect((object["metadata"] as? [String: String]) == ["k": "v w"])
        #expect((object["tags"] as? [String]) == ["a", "b"])
        #expect(object["header_message_id"] as? String == "<a\"b@x>\nnext")
        #expect(!line.contains("\n"))
    }

    @Test("timestamps are RFC 3339 UTC with milliseconds")
    func timestamp() {
        #expect(Timestamp.format(seconds: 1_764_082_800, milliseconds: 7) == "2025-11-25T15:00:00.007Z")
    }

    @Test("a sender-sized value is cut to 4 KB, saying how much; JSON lines still parse")
    func oversizedValues() throws {
        let tag = String(repeating: "é", count: 20_000)   // 40,000 bytes
        let big: Logger.Metadata = [
            "tags": [.string(tag)], "metadata": .stringConvertible(RawJSON(#"{"k":""# + tag + #""}"#)), "outcome": "unchanged",
        ]
        let logfmt = LogLineEncoder(format: .logfmt).encode(time: "T", level: .info, message: "message", metadata: big)
        #expect(logfmt.utf8.count < 2 * LogLineEncoder.maxValueBytes + 200)
        #expect(logfmt.contains("more bytes]"))
        #expect(logfmt.hasSuffix("outcome=unchanged"))
        let json = LogLineEncoder(format: .json).encode(time: "T", level: .info, message: "message", metadata: big)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let tags = try #require(object["tags"] as? String)
        // 2,048 two-byte characters fill the 4,096 bytes; 35,904 of 40,000 are left out.
        #expect(tags == String(repeating: "é", count: 2048) + "…[35904 more bytes]")
        #expect((object["metadata"] as? String)?.hasSuffix("more bytes]") == true)
        #expect(object["outcome"] as? String == "unchanged")
        // Small values are untouched.
        #expect(LogLineEncoder.capped("short") == "short")
    }
}

import Foundation
import Logging
import Testing
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
}

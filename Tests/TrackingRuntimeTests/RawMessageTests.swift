import Testing
import Logging
import Tracking
@testable import TrackingRuntime

@Suite("Raw messages (the rewrite command's input)")
struct RawMessageTests {
    func message(_ text: String) -> RawMessage { RawMessage(Array(text.utf8)) }

    @Test("fields as a milter gets them, and the body after the blank line")
    func fields() {
        let m = message("Subject: hi\r\nX-MSYS-API: {\"a\":\r\n  1}\r\nTo : r@x\r\n\r\nbody\r\n")
        #expect(m.fields.map(\.name) == ["Subject", "X-MSYS-API", "To"])
        #expect(m.fields[1].value == Array("{\"a\":\n  1}".utf8))
        #expect(String(decoding: m.body, as: UTF8.self) == "body\r\n")
    }

    @Test("the header block ends at the first line that is not a field, as in Postfix")
    func nonFieldLine() {
        let m = message("Subject: hi\nthis is not a header\nContent-Type: text/html\n\nbody\n")
        #expect(m.fields.map(\.name) == ["Subject"])
        #expect(String(decoding: m.body, as: UTF8.self) == "this is not a header\nContent-Type: text/html\n\nbody\n")
    }

    @Test("deleting and changing fields keeps every other byte")
    func edit() {
        let m = message("A: 1\nX-MSYS-API: {}\nContent-Transfer-Encoding: 7bit\nx-msys-api: {\n  }\nB:  2\n\nbody\n")
        let block = String(decoding: m.headerBlock(deleting: "X-MSYS-API", changes: [("Content-Transfer-Encoding", "quoted-printable")]), as: UTF8.self)
        #expect(block == "A: 1\nContent-Transfer-Encoding: quoted-printable\nB:  2\n\n")
        let added = String(decoding: m.headerBlock(deleting: nil, changes: [("MIME-Version", "1.0")]), as: UTF8.self)
        #expect(added == "A: 1\nX-MSYS-API: {}\nContent-Transfer-Encoding: 7bit\nx-msys-api: {\n  }\nB:  2\nMIME-Version: 1.0\n\n")
    }

    @Test("added fields go at the end, their LF folds in the message's own line ending, as an MTA adds them")
    func added() {
        let m = message("A: 1\r\nB: 2\r\n\r\nbody\r\n")
        let block = String(decoding: m.headerBlock(
            deleting: nil, changes: [("B", "3")],
            adding: [("List-Unsubscribe", "\n <https://t.example/u/AQ>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]),
            as: UTF8.self)
        #expect(block == "A: 1\r\nB: 3\r\nList-Unsubscribe: \r\n <https://t.example/u/AQ>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\n")
    }

    @Test("a leading mbox From line stays in the header block and is no field")
    func mboxFromLine() {
        let m = message("From a@b Mon Dec 16 14:31:36 2002\nX-URI: http://example.com/h\nSubject: t\n\nbody\n")
        #expect(m.fields.map(\.name) == ["X-URI", "Subject"])
        #expect(String(decoding: m.body, as: UTF8.self) == "body\n")
        #expect(m.headerBlock(deleting: nil, changes: []) == Array("From a@b Mon Dec 16 14:31:36 2002\nX-URI: http://example.com/h\nSubject: t\n\n".utf8))
    }

    @Test("a message without a body")
    func noBody() {
        let m = message("Subject: hi\r\n")
        #expect(m.fields.count == 1 && m.body.isEmpty)
        #expect(m.headerBlock(deleting: nil, changes: []) == Array("Subject: hi\r\n".utf8))
    }
}

@Suite("Header values stay bytes")
struct HeaderBytesTests {
    @Test("8-bit and invalid UTF-8 header bytes reach the processor exactly as sent")
    func eightBitValue() {
        let latin1: [UInt8] = Array("Subject: caf".utf8) + [0xE9, 0xFF, 0x80] + Array("\r\n\r\nbody\r\n".utf8)
        let message = RawMessage(latin1)
        #expect(message.fields.count == 1)
        #expect(message.fields[0].value == Array("caf".utf8) + [0xE9, 0xFF, 0x80])
        #expect(message.headerEnded)
    }

    @Test("a header block still arriving is not ended")
    func streamingHeader() {
        #expect(!RawMessage(Array("Subject: a\r\nTo: b".utf8)).headerEnded)
        #expect(RawMessage(Array("Subject: a\r\n\r\n".utf8)).headerEnded)
    }
}

@Suite("X-MSYS-API bytes")
struct APIHeaderBytesTests {
    @Test("an X-MSYS-API value that is not UTF-8 is a header error, never repaired into U+FFFD")
    func notUTF8() throws {
        let configuration = try ConfigLoader.parse("tracking:\n  click_tracking_enabled: true\n", file: "c.yaml")
        let keyring = try TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "k")
        let service = TrackingService(configuration: configuration, keyring: keyring, logger: Logger(label: "t"))
        var envelope = MessageEnvelope()
        envelope.recipients = ["r@example.com"]
        let processor = MessageProcessor(service: service, envelope: envelope)
        processor.header(name: "X-MSYS-API", value: Array(#"{"campaign_id":"c"#.utf8) + [0xE9, 0xFF] + Array(#""}"#.utf8))
        processor.header(name: "Content-Type", value: Array("text/html".utf8))
        Array("<a href=\"https://x.example/\">x</a>".utf8).withUnsafeBytes { processor.body($0) }
        guard case .reject(let error) = processor.finish().action else {
            Issue.record("expected a rejection")
            return
        }
        #expect(error.replyText == "X-MSYS-API header is not valid JSON: not valid UTF-8")
    }
}

import EventSpool
import Logging
import Milter
import MilterTesting
import Synchronization
import Testing
import Tracking
@testable import TrackingMilter
import TrackingRuntime

/// Collects log records so a test can read the message line.
final class LogCapture: Sendable {
    let records = Mutex<[(String, Logger.Metadata)]>([])

    var logger: Logger {
        Logger(label: "test") { _ in CaptureHandler(capture: self) }
    }

    var messageLines: [Logger.Metadata] { records.withLock { $0.filter { $0.0 == "message" }.map(\.1) } }

    struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            capture.records.withLock { $0.append((event.message.description, event.metadata ?? [:])) }
        }
    }
}

struct SessionFixture {
    let capture = LogCapture()
    let driver: MilterTestDriver
    let keyring: TrackingKeyring

    init(_ yaml: String = "", spool: SpoolWriter? = nil) throws {
        let configuration = try ConfigLoader.parse(yaml, file: "test.yaml")
        keyring = try TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "test.keys")
        let service = TrackingService(configuration: configuration, keyring: keyring, logger: capture.logger)
        let dispatcher = MilterSetup(service: service, spool: spool).makeDispatcher()
        driver = MilterTestDriver(dispatcher: dispatcher)
        driver.negotiate()
        driver.connect(macros: ["{daemon_name}": "smtpd"])
    }

    @discardableResult
    func send(apiHeader: [String] = [], recipients: [String] = ["<rcpt@example.com>"], auth: String? = nil) -> StepResult {
        var headers = [("From", "a@example.net"), ("Message-ID", " <m1@example.net>")]
        headers += apiHeader.map { ("X-MSYS-API", $0) }
        headers.append(("Subject", "hello"))
        // The milter asks for these with RCPT (smfi_setsymlist) rather than taking MAIL as a step.
        var atRecipient = ["{mail_addr}": "a@example.net", "{client_addr}": "192.0.2.1"]
        if let auth { atRecipient["{auth_authen}"] = auth }
        let macros: [MacroStage: [String: String]] = [.data: ["i": "QID1"], .envelopeRecipient: atRecipient]
        return driver.sendMessage(from: "<a@example.net>", to: recipients, headers: headers,
                                  body: Array("Hello\r\nhttp://example.com/\r\n".utf8), macros: macros)
    }

    var line: Logger.Metadata? { capture.messageLines.last }
}

@Suite("Tracking session")
struct SessionTests {
    @Test("a valid header is removed, the link is tracked for the recipient, and the log line tells what was done")
    func validHeader() throws {
        let f = try SessionFixture("tracking:\n  open_tracking_enabled: true\n")
        let result = f.send(apiHeader: [#"{"campaign_id":"spring","metadata":{"k":"v"},"tags":["a","b"],"options":{"click_tracking":true}}"#], auth: "cust-7")
        #expect(result == .continue)
        #expect(f.driver.allViolations.isEmpty)
        // Headers first, then the body: MTAs refuse a header change between body pieces.
        #expect(f.driver.context.calls.first == .changeHeader(name: "X-MSYS-API", index: 1, value: nil))
        let body = String(decoding: try #require(f.driver.context.replacedBody), as: UTF8.self)
        #expect(body.hasPrefix("Hello\r\nhttp://localhost:8080/f/a/") && body.hasSuffix("\r\n"))
        let url = body.split(separator: "\r\n")[1]
        let token = try TrackingToken.open(url.split(separator: "/").last!, with: f.keyring)
        #expect(token.targetURL == "http://example.com/" && token.recipient == "rcpt@example.com")
        #expect(token.customerID == "cust-7" && token.campaignID == "spring" && token.tags == ["a", "b"])
        #expect(token.metadata == #"{"k":"v"}"#)
        let line = try #require(f.line)
        #expect(line["campaign"] == "spring")
        #expect(line["metadata"]?.description == #"{"k":"v"}"#)
        #expect(line["tags"] == ["a", "b"])
        #expect(line["open"]?.description == "true" && line["click"]?.description == "true")
        #expect(line["customer"] == "cust-7")
        #expect(line["queue_id"] == "QID1")
        #expect(line["header_message_id"] == "<m1@example.net>")
        #expect(line["recipients"] == ["rcpt@example.com"])
        #expect(line["outcome"] == "rewritten")
        #expect(line["links_tracked"]?.description == "1")
        #expect(line["bytes_in"]?.description == "28")
        #expect(line["bytes_out"]?.description == "\(body.utf8.count)")
        #expect(line["message_id"]?.description == MessageID(bytes: token.messageID).description)
    }

    @Test("a DKIM-signed message is left alone unless rewrite_signed is true")
    func signed() throws {
        for (rewriteSigned, rewritten) in [(false, false), (true, true)] {
            let f = try SessionFixture("milter:\n  rewrite_signed: \(rewriteSigned)\ntracking:\n  click_tracking_enabled: true\n")
            f.driver.mail(from: "<a@example.net>")
            f.driver.rcpt(to: "<r@example.com>", macros: ["{mail_addr}": "a@example.net"])
            f.driver.data(macros: ["i": "Q"])
            f.driver.header("DKIM-Signature", "v=1; a=rsa-sha256; d=example.net; b=abc")
            f.driver.body(Array("see http://example.com/\r\n".utf8))
            #expect(f.driver.endOfMessage() == .continue)
            #expect((f.driver.context.replacedBody != nil) == rewritten)
            if !rewritten { #expect(f.line?["reason"]?.description.contains("DKIM") == true) }
        }
    }

    @Test("bad header data is rejected with Momentum's reply", arguments: [
        (#"{"metadata":[1]}"#, "X-MSYS-API 'metadata' must be of type 'json object'"),
        (#"{"campaign_id":"\#(String(repeating: "c", count: 65))"}"#, "smtpapi_campaign_id context is limited to 64 bytes"),
        (#"{"campaign_id": "x""#, "X-MSYS-API header is not valid JSON"),
    ])
    func rejected(header: String, text: String) throws {
        let f = try SessionFixture()
        #expect(f.send(apiHeader: [header]) == .reject)
        let reply = try #require(f.driver.context.lastReply)
        #expect(reply.code == "550" && reply.enhancedCode == "5.6.0")
        #expect(reply.lines[0].hasPrefix(text))
        #expect(f.line?["outcome"] == "rejected")
        #expect(!f.driver.context.calls.contains { if case .changeHeader = $0 { true } else { false } })
    }

    @Test("two X-MSYS-API headers are rejected")
    func duplicate() throws {
        let f = try SessionFixture()
        #expect(f.send(apiHeader: [#"{"campaign_id":"a"}"#, #"{"campaign_id":"b"}"#]) == .reject)
    }

    @Test("header_errors = ignore logs the problem, delivers, and still strips the header")
    func ignored() throws {
        let f = try SessionFixture("milter:\n  header_errors: ignore\n")
        #expect(f.send(apiHeader: [#"{"metadata":"x"}"#]) == .continue)
        #expect(f.driver.context.calls == [.changeHeader(name: "X-MSYS-API", index: 1, value: nil)])
        #expect(f.line?["outcome"] == "unchanged")
        #expect(f.line?["reason"]?.description.contains("'metadata' must be of type 'json object'") == true)
    }

    @Test("strip_api_header = false keeps the header")
    func keep() throws {
        let f = try SessionFixture("milter:\n  strip_api_header: false\n")
        #expect(f.send(apiHeader: [#"{"campaign_id":"a"}"#]) == .continue)
        #expect(f.driver.context.calls.isEmpty)
    }

    @Test("no header and tracking off: nothing is modified")
    func untouched() throws {
        let f = try SessionFixture()
        #expect(f.send() == .continue)
        #expect(f.driver.context.calls.isEmpty)
        #expect(f.driver.context.replacedBody == nil)
        #expect(f.line?["open"]?.description == "false" && f.line?["click"]?.description == "false")
    }

    @Test("split mode answers 452 4.5.3 to the second and later recipients")
    func split() throws {
        let f = try SessionFixture()
        f.driver.mail(from: "<a@example.net>")
        #expect(f.driver.rcpt(to: "<one@example.com>") == .continue)
        #expect(f.driver.rcpt(to: "<two@example.com>") == .tempfail)
        let reply = try #require(f.driver.context.lastReply)
        #expect(reply.code == "452" && reply.enhancedCode == "4.5.3")
        #expect(f.driver.rcpt(to: "<three@example.com>") == .tempfail)
        f.driver.data(macros: ["i": "Q2"])
        f.driver.endOfHeaders()
        #expect(f.driver.endOfMessage() == .continue)
        #expect(f.line?["recipients"] == ["one@example.com"])
        #expect(f.line?["deferred_recipients"] == "2")
    }

    @Test("shared mode takes every recipient")
    func shared() throws {
        let f = try SessionFixture("milter:\n  recipient_mode: shared\n")
        #expect(f.send(recipients: ["<a@x.test>", "<b@x.test>", "<c@x.test>"]) == .continue)
        #expect(f.line?["recipients"] == ["a@x.test", "b@x.test", "c@x.test"])
    }

    @Test("a listener section applies to mail from that listener")
    func listener() throws {
        let f = try SessionFixture("listeners:\n  smtpd:\n    click_tracking_enabled: true\n")
        f.send()
        #expect(f.line?["click"]?.description == "true")
    }

    @Test("the state of one message does not leak into the next")
    func twoMessages() throws {
        let f = try SessionFixture()
        f.send(apiHeader: [#"{"campaign_id":"first"}"#])
        f.send()
        #expect(f.capture.messageLines.count == 2)
        #expect(f.line?["campaign"] == nil)
        #expect(f.driver.context.calls.isEmpty)
    }
}

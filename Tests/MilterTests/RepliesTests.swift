import Milter
import MilterTesting
import Testing

@Suite("Replies")
struct RepliesTests {
    @Test("each reply kind reaches the MTA as its status", arguments: [
        (Reply.continue, StepResult.continue), (.accept, .accept), (.discard, .discard),
        (.reject(), .reject), (.tempfail(), .tempfail),
    ])
    func replyKinds(reply: Reply, expected: StepResult) {
        let h = Harness { $0.answers[.envelopeRecipient] = reply }
        h.driver.negotiate()
        h.driver.mail(from: "<a@example.test>")
        #expect(h.driver.rcpt(to: "<b@example.test>") == expected)
        #expect(h.driver.allViolations.isEmpty)
    }

    @Test("skip is passed on in the body step only")
    func skip() {
        let h = Harness { $0.answers[.body] = .skip; $0.answers[.header] = .skip }
        h.driver.negotiate()
        h.driver.mail(from: "<a@example.test>")
        #expect(h.driver.header("Subject", "x") == .continue)
        #expect(h.driver.body(Array("x\r\n".utf8)) == .skip)
    }

    @Test("a reject carries its code, enhanced code and text")
    func rejectText() throws {
        let text = try SMTPReply(code: "550", enhancedCode: "5.6.0", text: "X-MSYS-API 'metadata' must be of type 'json object'")
        let h = Harness { $0.onEndOfMessage = { _ in .reject(text) } }
        h.driver.negotiate()
        let result = h.driver.sendMessage(from: "<a@x.test>", to: ["<b@x.test>"], headers: [("Subject", "s")], body: Array("b\r\n".utf8))
        #expect(result == .reject)
        #expect(h.driver.context.lastReply == text)
    }

    @Test("a multi-line tempfail keeps every line")
    func multiLine() throws {
        let text = try SMTPReply(code: "451", enhancedCode: "4.7.1", lines: ["first line", "second line", "third"])
        let h = Harness { $0.answers[.data] = .tempfail(text) }
        h.driver.negotiate()
        h.driver.mail(from: "<a@x.test>")
        #expect(h.driver.data() == .tempfail)
        #expect(h.driver.context.lastReply?.lines == ["first line", "second line", "third"])
    }

    @Test("a reject whose text has a 4xx code is sent as a tempfail")
    func codeDecides() throws {
        let text = try SMTPReply(code: "452", enhancedCode: "4.5.3", text: "Too many recipients")
        let h = Harness { $0.answers[.envelopeRecipient] = .reject(text) }
        h.driver.negotiate()
        h.driver.mail(from: "<a@x.test>")
        #expect(h.driver.rcpt(to: "<b@x.test>") == .tempfail)
    }

    @Test("malformed replies are refused with a reason", arguments: [
        ("250", "2.0.0", ["ok"]), ("55", nil, ["x"]), ("550", "4.1.1", ["x"]), ("550", "5.1", ["x"]),
        ("550", nil, ["line\r\nbreak"]), ("550", nil, []),
    ] as [(String, String?, [String])])
    func invalidReplies(code: String, enhanced: String?, lines: [String]) {
        #expect(throws: MilterError.self) { try SMTPReply(code: code, enhancedCode: enhanced, lines: lines) }
    }

    @Test("a throwing step answers the on_error reply", arguments: [
        (FailureReply.accept, StepResult.accept), (.tempfail, .tempfail),
    ])
    func failures(failure: FailureReply, expected: StepResult) {
        let h = Harness(failure: failure) { $0.failAt = .envelopeRecipient }
        h.driver.negotiate()
        h.driver.mail(from: "<a@x.test>")
        #expect(h.driver.rcpt(to: "<b@x.test>") == expected)
        if failure == .tempfail { #expect(h.driver.context.lastReply?.code == "451") }
    }

    @Test("a failure at a no-reply step is answered at the next step that replies")
    func deferredFailure() {
        let h = Harness(replying: [.data], failure: .tempfail) { $0.failAt = .header }
        h.driver.negotiate()
        let result = h.driver.sendMessage(from: "<a@x.test>", to: ["<b@x.test>"],
                                          headers: [("Subject", "s"), ("To", "t")], body: Array("b\r\n".utf8))
        #expect(result == .tempfail)
        #expect(h.driver.allViolations.isEmpty)
        // The session is not asked again once its verdict is known.
        #expect(h.session?.seen.filter { $0.hasPrefix("header") }.count == 1)
    }

    @Test("a reject at a no-reply step is answered at the next step that replies")
    func deferredReject() throws {
        let text = try SMTPReply(code: "550", enhancedCode: "5.7.1", text: "no")
        let h = Harness(replying: [.data]) { $0.answers[.header] = .reject(text) }
        h.driver.negotiate()
        let result = h.driver.sendMessage(from: "<a@x.test>", to: ["<b@x.test>"], headers: [("Subject", "s")],
                                          body: Array("b\r\n".utf8))
        #expect(result == .reject)
        #expect(h.driver.context.lastReply == text)
        #expect(h.driver.allViolations.isEmpty)
    }
}

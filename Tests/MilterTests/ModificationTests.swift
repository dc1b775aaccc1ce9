import Milter
import MilterTesting
import Testing

@Suite("Modifications")
struct ModificationTests {
    let headers = [("Subject", "hello"), ("X-Drop", "1")]
    let body = Array("line one\r\nline two\r\n".utf8)

    @Test("modifications at end of message reach the MTA in order")
    func allowedAtEndOfMessage() throws {
        let h = Harness(actions: [.changeBody, .addHeaders, .changeHeaders]) {
            $0.onEndOfMessage = { m in
                try m.addHeader("X-Added", "yes")
                try m.insertHeader("X-Top", "first", at: 0)
                try m.changeHeader("Subject", to: "changed")
                try m.deleteHeader("X-Drop")
                try m.replaceBody(Array("new ".utf8))
                try m.replaceBody(Array("body\r\n".utf8))
                return .continue
            }
        }
        h.driver.negotiate()
        #expect(h.driver.sendMessage(from: "<a@x.test>", to: ["<b@x.test>"], headers: headers, body: body) == .continue)
        #expect(h.driver.context.calls == [
            .addHeader(name: "X-Added", value: "yes"),
            .insertHeader(index: 0, name: "X-Top", value: "first"),
            .changeHeader(name: "Subject", index: 1, value: "changed"),
            .changeHeader(name: "X-Drop", index: 1, value: nil),
            .replaceBody(Array("new ".utf8)),
            .replaceBody(Array("body\r\n".utf8)),
        ])
        #expect(h.driver.context.replacedBody == Array("new body\r\n".utf8))
        #expect(h.driver.allViolations.isEmpty)
    }

    @Test("a modifier kept past end of message refuses with a Swift error")
    func keptModifierFails() throws {
        var kept: MessageModifier?
        let h = Harness {
            $0.onEndOfMessage = { m in kept = m; return .continue }
        }
        h.driver.negotiate()
        h.driver.sendMessage(from: "<a@x.test>", to: ["<b@x.test>"], headers: headers, body: body)
        #expect(throws: MilterError.notAtEndOfMessage(action: "addHeader")) { try kept?.addHeader("X-Late", "1") }
        #expect(throws: MilterError.notAtEndOfMessage(action: "replaceBody")) { try kept?.replaceBody([1]) }
        #expect(h.driver.context.violations.isEmpty, "the library stopped the call before libmilter saw it")
    }

    @Test("an action that was not negotiated is a Swift error")
    func notNegotiated() {
        var error: (any Error)?
        let h = Harness(actions: [.changeBody]) {
            $0.onEndOfMessage = { m in
                do { try m.addHeader("X-Nope", "1") } catch let e { error = e }
                return .continue
            }
        }
        h.driver.negotiate()
        h.driver.sendMessage(from: "<a@x.test>", to: ["<b@x.test>"], headers: headers, body: body)
        #expect(error as? MilterError == .actionNotNegotiated(action: "addHeader"))
        #expect(h.driver.context.calls.isEmpty)
    }

    @Test("a header change between body pieces is refused")
    func headerAfterBody() {
        var error: (any Error)?
        let h = Harness {
            $0.onEndOfMessage = { m in
                try m.replaceBody([0x41])
                do { try m.addHeader("X-Late", "1") } catch let e { error = e }
                try m.replaceBody([0x42])
                return .continue
            }
        }
        h.driver.negotiate()
        h.driver.sendMessage(from: "<a@x.test>", to: ["<b@x.test>"], headers: headers, body: body)
        #expect(error as? MilterError == .headerChangeAfterBody(action: "addHeader"))
        #expect(h.driver.context.replacedBody == [0x41, 0x42])
        #expect(h.driver.allViolations.isEmpty)
    }

    @Test("the test context itself refuses modifications outside end of message")
    func contextEnforcesPhase() {
        let h = Harness()
        h.driver.negotiate()
        h.driver.mail(from: "<a@x.test>")
        // Straight at the context, as a session bypassing the library would.
        #expect(h.driver.context.addHeader(name: "X", value: "1") == false)
        #expect(h.driver.context.violations.count == 1)
    }

    @Test("recipients, sender and quarantine need their actions")
    func envelopeChanges() throws {
        let h = Harness(actions: [.addRecipients, .deleteRecipients, .changeSender, .quarantine]) {
            $0.onEndOfMessage = { m in
                try m.addRecipient("<c@x.test>")
                try m.deleteRecipient("<b@x.test>")
                try m.changeSender("<bounce@x.test>")
                try m.quarantine(reason: "held for review")
                try m.progress()
                return .continue
            }
        }
        h.driver.negotiate()
        h.driver.sendMessage(from: "<a@x.test>", to: ["<b@x.test>"], headers: headers, body: body)
        #expect(h.driver.context.calls == [
            .addRecipient("<c@x.test>", parameters: nil), .deleteRecipient("<b@x.test>"),
            .changeSender("<bounce@x.test>", parameters: nil), .quarantine("held for review"), .progress,
        ])
        #expect(h.driver.allViolations.isEmpty)
    }
}

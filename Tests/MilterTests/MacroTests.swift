import Milter
import MilterTesting
import Testing

@Suite("Macros")
struct MacroTests {
    @Test("macros are kept from the stage they arrive at to end of message")
    func carryOver() {
        var atEnd: [String: String?] = [:]
        let h = Harness {
            let connection = $0.connection
            $0.onEndOfMessage = { _ in
                for name in ["{mail_addr}", "{rcpt_addr}", "i", "{auth_authen}", "{daemon_name}", "{client_addr}"] {
                    atEnd[name] = connection.macros[name]
                }
                return .continue
            }
        }
        h.driver.negotiate()
        h.driver.connect(macros: ["{daemon_name}": "submission", "{client_addr}": "192.0.2.7"])
        h.driver.mail(from: "<a@x.test>", macros: ["{mail_addr}": "a@x.test", "{auth_authen}": "customer-42"])
        h.driver.rcpt(to: "<b@y.test>", macros: ["{rcpt_addr}": "b@y.test"])
        h.driver.data(macros: ["i": "4QUEUEID"])
        h.driver.context.clearMessageMacros()  // the MTA moved on: libmilter no longer has them
        h.driver.endOfHeaders()
        h.driver.endOfMessage()
        #expect(atEnd["{mail_addr}"] == "a@x.test")
        #expect(atEnd["{rcpt_addr}"] == "b@y.test")
        #expect(atEnd["i"] == "4QUEUEID")
        #expect(atEnd["{auth_authen}"] == "customer-42")
        #expect(atEnd["{daemon_name}"] == "submission")
        #expect(atEnd["{client_addr}"] == "192.0.2.7")
    }

    @Test("message macros are forgotten at the next MAIL, connection macros are not")
    func resetAtMail() {
        let h = Harness()
        h.driver.negotiate()
        h.driver.connect(macros: ["{daemon_name}": "smtpd"])
        h.driver.mail(from: "<a@x.test>", macros: ["{mail_addr}": "a@x.test"])
        h.driver.data(macros: ["i": "Q1"])
        h.driver.endOfMessage()
        h.driver.mail(from: "<c@x.test>")
        let macros = h.session!.connection.macros
        #expect(macros["{mail_addr}"] == nil)
        #expect(macros["i"] == nil)
        #expect(macros["{daemon_name}"] == "smtpd")
    }

    @Test("requested macros are asked for during negotiation")
    func requested() {
        let h = Harness(requestedMacros: [.envelopeFrom: ["{auth_authen}", "{mail_addr}"], .data: ["i"]])
        let (actions, _) = h.driver.negotiate()
        #expect(actions.contains(.setMacroList))
        #expect(h.driver.context.calls == [
            .setMacroList("{auth_authen} {mail_addr}", .envelopeFrom), .setMacroList("i", .data),
        ])
    }
}

import CMilter
import Milter
import MilterTesting
import Testing

@Suite("Negotiation")
struct NegotiationTests {
    @Test("unused steps are not sent, steps that never reply are no-reply, DATA is always answered")
    func fewerRoundTrips() {
        let h = Harness(steps: [.envelopeRecipient, .header, .body], replying: [.envelopeRecipient])
        let (_, proto) = h.driver.negotiate()
        for bit in [SMFIP_NOCONNECT, SMFIP_NOHELO, SMFIP_NOMAIL, SMFIP_NOEOH, SMFIP_NOUNKNOWN] {
            #expect(proto & UInt(bit) != 0)
        }
        for bit in [SMFIP_NR_HDR, SMFIP_NR_BODY] { #expect(proto & UInt(bit) != 0) }
        for bit in [SMFIP_NORCPT, SMFIP_NOHDRS, SMFIP_NOBODY, SMFIP_NR_RCPT, SMFIP_NODATA, SMFIP_NR_DATA] {
            #expect(proto & UInt(bit) == 0)
        }
        let result = h.driver.sendMessage(from: "<a@x.test>", to: ["<b@x.test>"], headers: [("Subject", "s")],
                                          body: Array("b\r\n".utf8))
        #expect(result == .continue)
        #expect(h.driver.allViolations.isEmpty)
        #expect(h.session?.seen == ["rcpt <b@x.test>", "data", "header Subject", "body 3", "eom"])
    }

    @Test("only offered bits and actions are asked for")
    func onlyOffered() {
        let h = Harness(actions: [.changeBody, .quarantine])
        h.driver.offeredProtocol = UInt(SMFIP_NOHELO)
        h.driver.offeredActions = UInt(SMFIF_CHGBODY | SMFIF_ADDHDRS)
        let (actions, proto) = h.driver.negotiate()
        #expect(actions == [.changeBody])
        #expect(proto & ~UInt(SMFIP_NOHELO) == 0)
        #expect(h.driver.allViolations.isEmpty)
    }

    @Test("without negotiation every step answers")
    func oldMTA() {
        let h = Harness(replying: [])
        #expect(h.driver.mail(from: "<a@x.test>") == .continue)
        #expect(h.driver.header("Subject", "s") == .continue)
        #expect(h.driver.allViolations.isEmpty)
    }
}

import Milter
import MilterTesting
import Testing

@Suite("Session lifetime")
struct LifetimeTests {
    @Test("one session per connection, released once at close, across several messages")
    func oneSessionPerConnection() {
        let h = Harness()
        h.driver.negotiate()
        h.driver.connect()
        h.driver.helo()
        for i in 0..<3 {
            h.driver.sendMessage(from: "<a\(i)@x.test>", to: ["<b@x.test>"], headers: [("Subject", "\(i)")],
                                 body: Array("b\r\n".utf8))
        }
        #expect(h.lifetimes.created.load(ordering: .relaxed) == 1)
        #expect(h.driver.dispatcher.activeConnections == 1)
        h.forgetSession()
        h.driver.close()
        #expect(h.lifetimes.closed.load(ordering: .relaxed) == 1)
        #expect(h.lifetimes.released.load(ordering: .relaxed) == 1)
        #expect(h.driver.dispatcher.activeConnections == 0)
        #expect(h.driver.context.privateData == nil)
    }

    @Test("close as the only call still creates and releases exactly one session")
    func closeOnly() {
        let h = Harness()
        h.driver.close()
        h.forgetSession()  // the test's own reference; the dispatcher's is gone already
        #expect(h.lifetimes.created.load(ordering: .relaxed) == 1)
        #expect(h.lifetimes.closed.load(ordering: .relaxed) == 1)
        #expect(h.lifetimes.released.load(ordering: .relaxed) == 1)
        #expect(h.driver.dispatcher.activeConnections == 0)
    }

    @Test("a connection dropped mid-body aborts, then releases once")
    func droppedMidBody() {
        let h = Harness()
        h.driver.negotiate()
        h.driver.mail(from: "<a@x.test>")
        h.driver.rcpt(to: "<b@x.test>")
        h.driver.data()
        h.driver.header("Subject", "x")
        h.driver.endOfHeaders()
        h.driver.body(Array(repeating: 0x41, count: 1000))
        // libmilter calls abort and then close when the MTA goes away.
        h.driver.abort()
        let seen = h.session?.seen ?? []
        h.forgetSession()
        h.driver.close()
        #expect(seen.suffix(1) == ["abort"])
        #expect(h.lifetimes.released.load(ordering: .relaxed) == 1)
        #expect(h.lifetimes.closed.load(ordering: .relaxed) == 1)
    }

    @Test("message state is reset at MAIL, end of message and abort")
    func resets() {
        let h = Harness()
        h.driver.negotiate()
        h.driver.mail(from: "<a@x.test>")  // 1: MAIL
        h.driver.abort()  // 2: abort
        h.driver.sendMessage(from: "<a@x.test>", to: ["<b@x.test>"], headers: [], body: [])  // 3: MAIL, 4: eom
        #expect(h.session?.resets == 4)
    }
}

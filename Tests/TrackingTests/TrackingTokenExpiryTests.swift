import Foundation
import Testing
import Tracking

@Suite("Token expiry and event types")
struct TrackingTokenExpiryTests {
    private func token(expiry: UInt32) -> TrackingToken {
        TrackingToken(kind: .click, messageID: [UInt8](repeating: 0, count: 10), expiry: expiry)
    }

    @Test("a token is expired from its expiry second on")
    func isExpired() {
        let token = token(expiry: 1_000)
        #expect(!token.isExpired(now: Date(timeIntervalSince1970: 999)))
        #expect(!token.isExpired(now: Date(timeIntervalSince1970: 999.999)))
        #expect(token.isExpired(now: Date(timeIntervalSince1970: 1_000)))
        #expect(token.isExpired(now: Date(timeIntervalSince1970: 5_000_000_000)))
    }

    @Test("expiry is now plus the lifetime, clamped to what a token holds", arguments: [
        (1_700_000_000.7, 31_536_000, 1_731_536_000),
        (1_700_000_000, 0, 1_700_000_000),
        (1_700_000_000, -5, 1_700_000_000),
        (4_294_967_000, 1_000, UInt32.max),
        (1_700_000_000, Int.max, UInt32.max),
        (-10, 5, 0),
    ] as [(Double, Int, UInt32)])
    func expiry(now: Double, lifetime: Int, expected: UInt32) {
        #expect(TrackingToken.expiry(now: Date(timeIntervalSince1970: now), lifetime: lifetime) == expected)
    }

    @Test("an expired token still opens; the caller decides what it records")
    func expiredStillOpens() throws {
        let (text, sealed) = try TokenTestSupport.seal { id in
            TrackingToken(kind: .click, targetURL: "https://x.example/", messageID: id, expiry: 100)
        }
        let opened = try TrackingToken.open(text, with: TokenTestSupport.keyring)
        #expect(opened == sealed)
        #expect(opened.isExpired(now: Date()))
    }

    @Test("event types use SparkPost's names")
    func eventTypes() {
        var token = token(expiry: 1)
        #expect(token.eventType == "click")
        token.unsubscribe = true
        #expect(token.eventType == "link_unsubscribe")
        token.kind = .open
        #expect(token.eventType == "open")
        token.kind = .initialOpen
        #expect(token.eventType == "initial_open")
        token.kind = .listUnsubscribe
        #expect(token.eventType == "list_unsubscribe")
    }
}

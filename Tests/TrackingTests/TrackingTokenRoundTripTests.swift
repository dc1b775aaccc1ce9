import Foundation
import Testing
import Tracking

@Suite("Tracking tokens seal and open back to the same token")
struct TrackingTokenRoundTripTests {
    private func roundTrip(_ make: (_ messageID: [UInt8]) -> TrackingToken) throws {
        let (text, token) = try TokenTestSupport.seal(make)
        #expect(try TrackingToken.open(text, with: TokenTestSupport.keyring) == token)
    }

    @Test("every field, for every kind and both unsubscribe values", arguments: TrackingToken.EventKind.allCases, [false, true])
    func everyField(kind: TrackingToken.EventKind, unsubscribe: Bool) throws {
        try roundTrip { id in
            var token = TokenTestSupport.fullToken(messageID: id)
            token.kind = kind
            token.unsubscribe = unsubscribe
            return token
        }
    }

    @Test("the message id comes back from the nonce")
    func messageID() throws {
        let sealer = TokenSealer(keyring: TokenTestSupport.keyring)
        #expect(sealer.messageID.count == 10)
        let text = try sealer.seal(TokenTestSupport.fullToken(messageID: sealer.messageID))
        #expect(try TrackingToken.open(text, with: TokenTestSupport.keyring).messageID == sealer.messageID)
    }

    @Test("empty strings everywhere, and an empty tag")
    func emptyStrings() throws {
        try roundTrip { id in
            TrackingToken(kind: .click, targetURL: "", linkName: "", messageID: id, recipient: "", customerID: "",
                          campaignID: "", metadata: "", tags: [""], expiry: 0)
        }
    }

    @Test("nil optionals and no tags: an open pixel in shared mode")
    func nilOptionals() throws {
        try roundTrip { id in TrackingToken(kind: .open, messageID: id, expiry: 1) }
    }

    @Test("non-ASCII in every string field")
    func nonASCII() throws {
        let text = "caf\u{E9} \u{1F600} \u{4E2D}\u{6587} \u{65E5}\u{672C}\u{8A9E}"
        try roundTrip { id in
            TrackingToken(kind: .click, targetURL: "https://\u{4F8B}\u{3048}.jp/\u{30D1}\u{30B9}?q=\u{E9}", linkName: text,
                          messageID: id, recipient: "j\u{F6}rg@b\u{FC}cher.example", customerID: text, campaignID: text,
                          metadata: #"{"name":"\#(text)"}"#, tags: [text, "\u{1F600}"], expiry: 5)
        }
    }

    @Test("targets with and without a strippable prefix keep every byte", arguments: [
        "http://a.example/", "https://a.example/", "http://", "https://", "HTTPS://A.EXAMPLE/", "Http://x",
        "https:/x", "ftp://x", "httpsx", "https://https://x", " https://x", "http://\u{E9}",
    ])
    func targetPrefixes(target: String) throws {
        try roundTrip { id in TrackingToken(kind: .click, targetURL: target, messageID: id, expiry: 9) }
    }

    @Test("link names near the default are not mistaken for it", arguments: ["Raw URL", "Raw URL ", "raw url", "Raw", ""])
    func linkNames(name: String) throws {
        try roundTrip { id in TrackingToken(kind: .click, targetURL: "https://x", linkName: name, messageID: id, expiry: 9) }
    }

    @Test("the default link name costs no bytes")
    func defaultLinkNameIsFree() throws {
        let named = try TokenTestSupport.seal { id in TrackingToken(kind: .click, linkName: "Raw URLx", messageID: id, expiry: 9) }
        let unnamed = try TokenTestSupport.seal { id in TrackingToken(kind: .click, messageID: id, expiry: 9) }
        #expect(TokenTestSupport.decode(named.text)!.count - TokenTestSupport.decode(unnamed.text)!.count == 9)
    }

    @Test("expiry extremes", arguments: [UInt32.min, 1, 0x7FFF_FFFF, UInt32.max])
    func expiry(expiry: UInt32) throws {
        try roundTrip { id in TrackingToken(kind: .initialOpen, messageID: id, expiry: expiry) }
    }

    @Test("maximum-size fields, counted in UTF-8 bytes")
    func maximumSizes() throws {
        // 32 767 two-byte characters and one ASCII byte: exactly 65 535 bytes.
        let big = String(repeating: "\u{E9}", count: 32_767) + "a"
        #expect(big.utf8.count == 65_535)
        try roundTrip { id in
            TrackingToken(kind: .click, targetURL: "https://" + String(big.dropFirst(4)), linkName: big, messageID: id, recipient: big,
                          customerID: big, campaignID: big, metadata: big, tags: [big, big], expiry: .max)
        }
    }

    @Test("one byte over the maximum is refused, not truncated")
    func oversizedField() throws {
        let sealer = TokenSealer(keyring: TokenTestSupport.keyring)
        var token = TrackingToken(kind: .click, messageID: sealer.messageID, expiry: 9)
        token.metadata = String(repeating: "x", count: 65_536)
        #expect(throws: TokenSealError.fieldTooLong(.metadata, bytes: 65_536)) { try sealer.seal(token) }
        token.metadata = nil
        token.tags = [String](repeating: "", count: 65_536)
        #expect(throws: TokenSealError.tooManyTags(65_536)) { try sealer.seal(token) }
    }

    @Test("many tags keep their order")
    func manyTags() throws {
        try roundTrip { id in
            TrackingToken(kind: .open, messageID: id, tags: (0..<1000).map { "tag-\($0)" }, expiry: 9)
        }
    }
}

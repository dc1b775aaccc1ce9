import Testing
@testable import Tracking

@Suite("Tokens of every format version still open")
struct TokenVersionTests {
    /// Sealed by the first version 2 build under the test key (key 7, all bytes 0x42): if this
    /// stops opening to the same fields, the format (or the dictionary) changed under links
    /// already sent.
    static let version2 = "Agcv1f04WeJOEtTtAADkhn3k7dF9lYZKH_rRDfC9VD9raL79hB2tX6FzNqZi_ToHirJuurskBduts6Wy-HRW-ADBlxy34iIiqbsx_MHOYxA-QzrWBxeYk09Xwx2Tzw0LJbM72KjNBqUTMEzL7uRdcWXwyq-MKuT1-DOX2-Lr3h4ZOd8CbhRLvxU"

    @Test("a version 2 token from the first build that sealed them opens to its fields")
    func version2Fixture() throws {
        let token = try TrackingToken.open(Self.version2, with: TokenTestSupport.keyring)
        #expect(token == TrackingToken(
            kind: .click,
            targetURL: "https://www.example-shop.com/guide/offer-1003?utm_source=newsletter&utm_medium=email&utm_campaign=weekly",
            linkName: "Read more", messageID: [0x2F, 0xD5, 0xFD, 0x38, 0x59, 0xE2, 0x4E, 0x12, 0xD4, 0xED],
            recipient: "j\u{F6}rg@example.org", customerID: "17", campaignID: "bench-newsletter-2026-12",
            metadata: #"{"list":"weekly","segment":"b"}"#, tags: ["newsletter", "caf\u{E9}"], expiry: 1_780_000_000))
    }

    @Test("version 1 tokens (plain strings, prefix flags) still open")
    func version1() throws {
        for text in ListUnsubscribeTokenTests.tokensFromBefore {
            #expect(TokenTestSupport.decode(text)?.first == 1)
            #expect(throws: Never.self) { try TrackingToken.open(text, with: TokenTestSupport.keyring) }
        }
        let first = try TrackingToken.open(ListUnsubscribeTokenTests.tokensFromBefore[0], with: TokenTestSupport.keyring)
        #expect(first.targetURL == "https://shop.example.com/spring?utm_source=mail" && first.kind == .click)
    }

    @Test("new tokens are version 2, and a version 2 body never sets the version 1 prefix bits")
    func sealsVersion2() throws {
        let (text, token) = try TokenTestSupport.seal { id in
            TrackingToken(kind: .click, targetURL: "https://x.example/", messageID: id, expiry: 9)
        }
        #expect(TokenTestSupport.decode(text)?.first == 2)
        var body = try TokenBody.encode(token)
        #expect(body[0] & 0b1_1000 == 0)
        #expect(TokenBody.decode(body[...], version: 2, messageID: token.messageID) == token)
        body[0] |= 0b0_1000
        #expect(TokenBody.decode(body[...], version: 2, messageID: token.messageID) == nil)
    }
}

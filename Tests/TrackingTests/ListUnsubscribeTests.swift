import Foundation
import Testing
@testable import Tracking

@Suite("The list-unsubscribe token kind")
struct ListUnsubscribeTokenTests {
    @Test("a list-unsubscribe token seals and opens back with every field")
    func roundTrip() throws {
        let (text, token) = try TokenTestSupport.seal { id in
            TrackingToken(kind: .listUnsubscribe, messageID: id, recipient: "jane@example.org", customerID: "17",
                          campaignID: "spring", metadata: #"{"k":"v"}"#, tags: ["a", "b"], expiry: 1_780_000_000)
        }
        let opened = try TrackingToken.open(text, with: TokenTestSupport.keyring)
        #expect(opened == token)
        #expect(opened.kind == .listUnsubscribe && opened.eventType == "list_unsubscribe")
        #expect(!opened.kind.isOpen)
    }

    /// Sealed under key 7 (all bytes 0x42) by the build before list-unsubscribe existed
    /// (the fuzz target's genuine tokens): a click, an unsubscribe click, an open, an initial open.
    static let tokensFromBefore = [
        "AQcgsMd7QsF1Cz32AABQTAq0jydnDDZMo4b08fV8KAfN-M_Gu0bqkazwbmw0ER6d-8ryt6uBAsRBmtoEGADzLQaTc1X4_wc6173amw",
        "AQdGKZNsjChWCKSGAABxLgZbXWKvS5P7KMKz-Xc1dBiQy7nrfhrk7rzmeUTjUiqUPdEOTUUejOjm20Q25Hlqyy9teo7d-pO6vIpx6lWIh1RM",
        "AQctw0DHAA3cmFx3AABd8V_IdeKgDDF78KjyfEmGpiTQVv_zvr9vmxs7zBLCk2pQ3-ddjI24p5WG2FPyu2sGySsKoZol",
        "AQfDaMSNYCw4915BAAA_1zPyjFE8WdxMITg8CfhWkTSJUD25-Q",
    ]

    @Test("tokens sealed before the new kind still open, with their kinds and event types")
    func oldTokensStillOpen() throws {
        let opened = try Self.tokensFromBefore.map { try TrackingToken.open($0, with: TokenTestSupport.keyring) }
        #expect(opened.map(\.kind) == [.click, .click, .open, .initialOpen])
        #expect(opened.map(\.eventType) == ["click", "link_unsubscribe", "open", "initial_open"])
        #expect(opened[0].targetURL == "https://shop.example.com/spring?utm_source=mail")
    }

    @Test("a list-unsubscribe token sealed by a second implementation (Python's cryptography; the fuzz seed) opens")
    func independentlySealed() throws {
        let token = try TrackingToken.open(
            "AQccoBSG8xq2EYS4AAC59kACTPCux9K0Ed1wi81z8qn7VSiZv_JFPLQW3Pcc0ZHjNlT5Q1aYO0XL", with: TokenTestSupport.keyring)
        #expect(token.kind == .listUnsubscribe && token.recipient == "jane@example.org" && token.campaignID == "c1")
        #expect(token.expiry == 1_780_000_000 && token.targetURL.isEmpty && token.linkName == TrackingToken.defaultLinkName)
    }

    @Test("a body with the reserved link-flag bits set does not decode, for every kind", arguments: TrackingToken.EventKind.allCases)
    func reservedBitsRejected(kind: TrackingToken.EventKind) throws {
        let token = TrackingToken(kind: kind, messageID: [UInt8](repeating: 1, count: 10), expiry: 5)
        var body = try TokenBody.encode(token)
        #expect(TokenBody.decode(body[...], version: SealedTokenFormat.version, messageID: token.messageID) == token)
        for bit in [UInt8(1 << 6), 1 << 7] {
            body[0] |= bit
            #expect(TokenBody.decode(body[...], version: SealedTokenFormat.version, messageID: token.messageID) == nil)
        }
    }

    @Test("only the four kinds exist; their raw values are the two kind bits")
    func kinds() {
        #expect(TrackingToken.EventKind.allCases.map(\.rawValue) == [0, 1, 2, 3])
        #expect((0...255).compactMap { TrackingToken.EventKind(rawValue: UInt8($0)) }.count == 4)
    }

    @Test("the URL is always https on /u/, and only such a URL of the domain counts as ours")
    func urls() {
        #expect(TrackingURL.listUnsubscribe(domain: "track.example.com", token: "AQcg") == "https://track.example.com/u/AQcg")
        let domain = "track.example.com:8443"
        #expect(TrackingURL.isListUnsubscribe("https://track.example.com:8443/u/AQcg-_", domain: domain))
        #expect(TrackingURL.isListUnsubscribe("HTTPS://Track.Example.com:8443/u/AQcg", domain: domain))
        for other in ["http://track.example.com:8443/u/AQcg", "https://track.example.com/u/AQcg",
                      "https://track.example.com:8443/u/", "https://track.example.com:8443/f/a/AQcg",
                      "https://track.example.com:8443/u/AQcg?x=1", "https://track.example.com:8443/u/AQ/cg",
                      "https://track.example.com:8443.evil.example/u/AQcg", "https://track.example.com:8443/U/AQcg"] {
            #expect(!TrackingURL.isListUnsubscribe(other, domain: domain), "\(other)")
        }
        #expect(TrackingURL.token(in: "https://track.example.com/u/AQcg") == "AQcg")
    }
}

@Suite("Which List-Unsubscribe fields a message gets")
struct ListUnsubscribeFieldsTests {
    private func decide(_ fields: [(String, String)]) -> ListUnsubscribeFields.Decision {
        ListUnsubscribeFields.decide(
            headers: fields.map { HeaderField(name: $0.0, value: Array($0.1.utf8)) }, trackingDomain: "track.example.com")
    }

    @Test("no List-Unsubscribe: add both")
    func none() {
        #expect(decide([("From", "a@example.com"), ("List-Id", "<x.example.com>")]) == .addBoth)
    }

    @Test("the sender's own header is kept, whatever else is there", arguments: [
        "<mailto:unsubscribe@shop.example>",
        "<https://shop.example/unsubscribe?u=1>",
        "<https://shop.example/u/AQcg>",
        "<mailto:x@shop.example>, <https://shop.example/unsub>",
        // ours next to another https URI: a one-click POST would not know which one to use
        "<https://track.example.com/u/AQcg>, <https://shop.example/unsub>",
        "<http://track.example.com/u/AQcg>",
        "garbage without brackets",
        "",
    ])
    func keeps(value: String) {
        #expect(decide([("List-Unsubscribe", value)]) == .keepExisting)
    }

    @Test("ours (https, our domain, /u/) without Post: add only Post; name case and folds do not matter")
    func oursWithoutPost() {
        #expect(decide([("List-Unsubscribe", "<https://track.example.com/u/AQcg>")]) == .addPostOnly)
        #expect(decide([("list-unsubscribe", "<mailto:a@shop.example>,\n <https://TRACK.example.com/u/\n AQcg>")]) == .addPostOnly)
    }

    @Test("ours with Post already: nothing")
    func oursWithPost() {
        #expect(decide([("List-Unsubscribe", "<https://track.example.com/u/AQcg>"),
                        ("LIST-UNSUBSCRIBE-POST", "List-Unsubscribe=One-Click")]) == .keepExisting)
    }

    @Test("a short URL stays on the field's line; a long one is folded after the colon, never inside the brackets")
    func folding() throws {
        let short = "https://t.example/u/AQcg"
        #expect(ListUnsubscribeFields.value(url: short) == "<\(short)>")
        let url = "https://track.example.com/u/" + String(repeating: "A", count: 60)
        let folded = try #require(ListUnsubscribeFields.value(url: url))
        #expect(folded == "\n <\(url)>")
        // The line as the MTA writes it: "List-Unsubscribe: " + value; every line within maxLineBytes.
        let exactly78 = "https://t.example/u/" + String(repeating: "B", count: 78 - "List-Unsubscribe: <>".count - 20)
        #expect(("List-Unsubscribe: <" + exactly78 + ">").utf8.count == 78)
        #expect(ListUnsubscribeFields.value(url: exactly78)?.hasPrefix("<") == true)
        #expect(ListUnsubscribeFields.value(url: exactly78 + "B")?.hasPrefix("\n <") == true)
        let longest = "https://t.example/u/" + String(repeating: "C", count: ListUnsubscribeFields.maxURLBytes - 20)
        #expect(ListUnsubscribeFields.value(url: longest).map { $0.utf8.count - 1 } == ListUnsubscribeFields.maxLineBytes)
        #expect(ListUnsubscribeFields.value(url: longest + "C") == nil)
    }

    @Test("bracketed URIs are read with white space inside removed")
    func uris() {
        #expect(ListUnsubscribeFields.uris(in: Array("<a>, < b\n c >,<".utf8)) == ["a", "bc"])
    }
}

@Suite("The unsubscribe URL a message's URL maker seals")
struct ListUnsubscribeURLTests {
    private func maker(metadata: JSONObject? = nil, tags: [String] = [], recipient: String? = "jane@example.org") -> (SealedURLMaker, TokenSealer) {
        let sealer = TokenSealer(keyring: TokenTestSupport.keyring)
        let tracking = ResolvedTracking(
            openTracking: false, clickTracking: true, openScheme: .http, clickScheme: .http, trackingDomain: "track.example.com",
            linkExpiry: 60, campaignID: "spring", metadata: metadata, tags: tags, customerID: nil)
        return (SealedURLMaker(sealer: sealer, tracking: tracking, recipient: recipient, options: TrackingOptions(), now: Date()), sealer)
    }

    @Test("https on /u/ with the recipient, campaign, tags and metadata")
    func carriesWhatAClickCarries() throws {
        let (maker, _) = maker(metadata: ["k": .string("v")], tags: ["t"])
        let url = try #require(maker.listUnsubscribeURL(maxBytes: ListUnsubscribeFields.maxURLBytes))
        #expect(url.hasPrefix("https://track.example.com/u/"))
        let token = try TrackingToken.open(TrackingURL.token(in: url), with: TokenTestSupport.keyring)
        #expect(token.kind == .listUnsubscribe && token.recipient == "jane@example.org" && token.campaignID == "spring")
        #expect(token.tags == ["t"] && token.metadata == #"{"k":"v"}"#)
    }

    @Test("too long with metadata and tags: sealed again without them; too long even then: nil")
    func fallsBackWithoutPayload() throws {
        let (maker, _) = maker(metadata: ["k": .string(String(repeating: "v", count: 900))], tags: ["t"])
        let url = try #require(maker.listUnsubscribeURL(maxBytes: ListUnsubscribeFields.maxURLBytes))
        let token = try TrackingToken.open(TrackingURL.token(in: url), with: TokenTestSupport.keyring)
        #expect(token.metadata == nil && token.tags.isEmpty && token.recipient == "jane@example.org")
        let (long, _) = self.maker(recipient: String(repeating: "r", count: 900) + "@example.org")
        #expect(long.listUnsubscribeURL(maxBytes: ListUnsubscribeFields.maxURLBytes) == nil)
    }
}

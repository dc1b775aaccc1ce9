import Foundation
import Testing
import Tracking

@Suite("Sealed URL maker")
struct SealedURLMakerTests {
    let keyring = try! TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "k")

    func tracking(metadata: JSONObject? = ["plan": .string("gold"), "id": .number(42)]) -> ResolvedTracking {
        var options = TrackingOptions()
        options.trackingDomain = "t.example:8443"
        options.clickTrackingScheme = .https
        return ResolvedTracking.resolve(
            options: options, header: APIHeader(campaignID: "spring", metadata: metadata, tags: ["a"]), customerID: "acme")
    }

    @Test("a click URL opens to everything the message and the link said")
    func click() throws {
        var options = TrackingOptions()
        options.maxMetadataLength = 1000
        let sealer = TokenSealer(keyring: keyring)
        let maker = SealedURLMaker(sealer: sealer, tracking: tracking(), recipient: "r@x.example", options: options,
                                   now: Date(timeIntervalSince1970: 1_000_000))
        let url = try #require(maker.clickURL(for: FoundLink(target: "https://shop.example/?a=1&b=2", name: "Shop", sublink: "buy now", unsubscribe: true)))
        #expect(url.hasPrefix("https://t.example:8443/f/buy%20now/"))
        let token = try TrackingToken.open(url.split(separator: "/").last!, with: keyring)
        #expect(token.kind == .click && token.eventType == "link_unsubscribe")
        #expect(token.targetURL == "https://shop.example/?a=1&b=2" && token.linkName == "Shop")
        #expect(token.recipient == "r@x.example" && token.customerID == "acme" && token.campaignID == "spring")
        #expect(token.metadata == #"{"id":42,"plan":"gold"}"# && token.tags == ["a"])
        #expect(token.messageID == sealer.messageID)
        #expect(token.expiry == 1_000_000 + 31_536_000)
    }

    @Test("open URLs carry metadata even when click URLs do not; shared bodies carry no recipient")
    func openAndShared() throws {
        var options = TrackingOptions()
        options.clickTrackingIncludeMetadata = false
        let maker = SealedURLMaker(sealer: TokenSealer(keyring: keyring), tracking: tracking(), recipient: nil,
                                   options: options, now: Date())
        let open = try TrackingToken.open(try #require(maker.openURL(initial: true)).split(separator: "/").last!, with: keyring)
        let click = try TrackingToken.open(try #require(maker.clickURL(for: FoundLink(target: "http://a.example/"))).split(separator: "/").last!, with: keyring)
        #expect(open.kind == .initialOpen && open.metadata != nil && open.recipient == nil)
        #expect(click.metadata == nil && click.recipient == nil && click.linkName == "Raw URL")
        #expect(try #require(maker.openURL(initial: false)).hasPrefix("http://t.example:8443/q/"))
    }

    @Test("metadata over max_metadata_len keeps whole keys and stays valid JSON")
    func bounded() throws {
        let object: JSONObject = ["a": .string(String(repeating: "x", count: 10)), "b": .string(String(repeating: "y", count: 50)), "c": .number(1)]
        let full = MetadataText.bounded(object, maxBytes: 1000)
        #expect(full.text == JSONValue.object(object).jsonText && !full.truncated)
        let cut = MetadataText.bounded(object, maxBytes: 30)
        #expect(cut.truncated)
        let text = try #require(cut.text)
        #expect(text.utf8.count <= 30)
        guard case .object(let kept) = try JSONValue(parsing: text) else { Issue.record("not an object"); return }
        #expect(Set(kept.keys) == ["a", "c"])
        #expect(MetadataText.bounded(object, maxBytes: 0).text == nil)
    }

    @Test("a link too long to seal is refused with a reason, not a crash")
    func refused() {
        let maker = SealedURLMaker(sealer: TokenSealer(keyring: keyring), tracking: tracking(), recipient: "r@x.example",
                                   options: TrackingOptions(), now: Date())
        #expect(maker.clickURL(for: FoundLink(target: "https://x.example/" + String(repeating: "a", count: 70_000))) == nil)
        #expect(maker.lastRefusal == "seal_failed")
    }
}

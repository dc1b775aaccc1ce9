import Foundation
import Testing
import Tracking

/// The URL maker is where sealing happens, so it is where `max_links` and `max_growth` stop it.
@Suite("Sealed URL maker limits")
struct SealedURLMakerLimitTests {
    let keyring = try! TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "k")

    func maker(tags: [String] = ["a"], metadata: JSONObject? = nil, maxLinks: Int = .max,
               options: TrackingOptions = TrackingOptions()) -> SealedURLMaker {
        let tracking = ResolvedTracking.resolve(
            options: options, header: APIHeader(campaignID: "c", metadata: metadata, tags: tags), customerID: nil)
        return SealedURLMaker(sealer: TokenSealer(keyring: keyring), tracking: tracking, recipient: "r@x.example",
                              options: options, now: Date(), maxLinks: maxLinks)
    }

    @Test("past max_links every click URL is refused, with the limit's name")
    func links() {
        let m = maker(maxLinks: 3)
        let urls = (0..<10).map { m.clickURL(for: FoundLink(target: "http://example.com/\($0)")) }
        #expect(urls.prefix(3).allSatisfy { $0 != nil })
        #expect(urls.dropFirst(3).allSatisfy { $0 == nil })
        #expect(m.lastRefusal == "max_links")
        #expect(m.openURL(initial: false) != nil, "pixels are not links")
    }

    @Test("URLs past the growth allowance are refused, and so is every later one")
    func growth() throws {
        let m = maker()
        let first = try #require(m.clickURL(for: FoundLink(target: "http://example.com/a")))
        m.urlByteAllowance = first.utf8.count * 2 + 10
        #expect(m.clickURL(for: FoundLink(target: "http://example.com/b")) != nil)
        #expect(m.clickURL(for: FoundLink(target: "http://example.com/c")) == nil)
        #expect(m.lastRefusal == "max_growth")
        m.urlByteAllowance = .max
        #expect(m.clickURL(for: FoundLink(target: "http://example.com/d")) == nil, "refusal is final for the message")
        #expect(m.openURL(initial: true) == nil)
    }

    @Test("the token payload is the tags plus the metadata as cut to max_metadata_len")
    func payload() {
        #expect(maker(tags: ["abc", "de"]).payloadBytes == 5)
        #expect(maker(tags: ["é"], metadata: ["k": .string("v")]).payloadBytes == 2 + #"{"k":"v"}"#.utf8.count)
        var options = TrackingOptions()
        options.maxMetadataLength = 10
        #expect(maker(tags: [], metadata: ["k": .string(String(repeating: "v", count: 100))], options: options).payloadBytes == 0)
        #expect(maker(tags: [String(repeating: "t", count: 30_000), String(repeating: "u", count: 30_000)]).payloadBytes == 60_000)
    }
}

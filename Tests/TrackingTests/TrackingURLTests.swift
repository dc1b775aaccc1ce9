import Foundation
import Testing
import Tracking

@Suite("Tracked URLs")
struct TrackingURLTests {
    @Test("click and open URL shapes")
    func shapes() {
        #expect(TrackingURL.click(scheme: .https, domain: "t.example.com", sublink: nil, token: "TOK") == "https://t.example.com/f/a/TOK")
        #expect(TrackingURL.click(scheme: .http, domain: "localhost:8080", sublink: "shop", token: "TOK") == "http://localhost:8080/f/shop/TOK")
        #expect(TrackingURL.open(scheme: .http, domain: "t.example.com", token: "TOK") == "http://t.example.com/q/TOK")
    }

    @Test("sublinks are one percent-encoded path segment", arguments: [
        ("", "a"), (".", "a"), ("..", "a"), ("...", "..."),
        ("Spring-Sale_2025.v1~x", "Spring-Sale_2025.v1~x"),
        ("a b/c?d#e%f", "a%20b%2Fc%3Fd%23e%25f"),
        ("caf\u{E9}", "caf%C3%A9"),
        ("\u{1F600}", "%F0%9F%98%80"),
    ])
    func sublinks(sublink: String, segment: String) {
        #expect(TrackingURL.click(scheme: .https, domain: "d", sublink: sublink, token: "T") == "https://d/f/\(segment)/T")
    }

    @Test("the recipient's address appears in no encoding in the URL")
    func recipientIsHidden() throws {
        let recipient = "jane.doe@example.org"
        let (text, _) = try TokenTestSupport.seal { id in
            TrackingToken(kind: .click, targetURL: "https://shop.example.com/", messageID: id, recipient: recipient, expiry: 1)
        }
        let url = TrackingURL.click(scheme: .https, domain: "track.example.com", sublink: nil, token: text)
        for form in Self.encodings(of: recipient) {
            #expect(!url.contains(form), "\(form)")
        }
        // Each whole sealing is fresh, yet the same address never shows through.
        #expect(!url.lowercased().contains("jane"))
    }

    /// The address plain, percent-encoded, and base64 / base64url at each of the three
    /// alignments (only the characters that depend on the address alone).
    static func encodings(of address: String) -> [String] {
        var forms = [address, address.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!]
        let bytes = Array(address.utf8)
        for offset in 0..<3 {
            let encoded = Data([UInt8](repeating: 0, count: offset) + bytes).base64EncodedString()
            let start = [0, 2, 3][offset]  // characters that mix in the leading filler
            let end = (offset + bytes.count) / 3 * 4  // drop the last, partial group
            let core = String(Array(encoded)[start..<end])
            forms.append(core)
            forms.append(core.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
        }
        return forms
    }

    @Test("a typical click URL, and what its length is made of")
    func typicalLength() throws {
        let target = "https://shop.example.com/collections/spring-sale?utm_src=em1"
        let metadata = #"{"customer_tier":"gold","order_id":"A-1029384756","region":"eu-west","segment":"returning-buyers-x"}"#
        #expect(target.count == 60)
        #expect(metadata.utf8.count == 100)
        let recipient = "jane.doe@example.org"
        #expect(recipient.count == 20)
        let (text, _) = try TokenTestSupport.seal { id in
            TrackingToken(kind: .click, targetURL: target, messageID: id, recipient: recipient,
                          campaignID: "spring2025", metadata: metadata, tags: ["promo", "q2"], expiry: 1_780_000_000)
        }
        let url = TrackingURL.click(scheme: .https, domain: "track.example.com", sublink: nil, token: text)
        let sealedBytes = TokenTestSupport.decode(text)!.count
        print("typical click URL: \(url.count) characters = \(url.count - text.count) prefix + \(text.count) token (\(sealedBytes) bytes: 30 header and tag, \(sealedBytes - 30) body)")
        // Body: 2 flags + 4 expiry + 39 target ("https://", ".com/" and "ing" coded: 60 → 38 bytes)
        // + 79 metadata (JSON punctuation coded: 100 → 78) + 21 recipient (plain) + 6 campaign
        // ("ing", "2025") + 6 tags ("promo" is one byte) = 157. Version 1 took 202.
        #expect(sealedBytes == 187)
        #expect(url.count == 280)
    }

    /// Issue #11's typical click: a 60-character target, a campaign and two metadata keys.
    @Test("a typical click with two metadata keys, and without metadata (click_tracking_include_metadata: false)")
    func typicalWithTwoMetadataKeys() throws {
        let target = "https://shop.example.com/collections/spring-sale?utm_src=em1"
        let metadata = #"{"customer_tier":"gold","region":"eu-west"}"#
        func url(metadata: String?) throws -> String {
            let (text, _) = try TokenTestSupport.seal { id in
                TrackingToken(kind: .click, targetURL: target, messageID: id, recipient: "jane.doe@example.org",
                              campaignID: "spring2025", metadata: metadata, expiry: 1_780_000_000)
            }
            return TrackingURL.click(scheme: .https, domain: "track.example.com", sublink: nil, token: text)
        }
        let with = try url(metadata: metadata)
        let without = try url(metadata: nil)
        print("typical click URL (60-character target, campaign, two metadata keys): \(with.count) characters; without metadata \(without.count)")
        // 30 header and tag + 6 flags and expiry + 39 target + 21 recipient + 6 campaign + 36 metadata
        // (43 → 35 bytes) = 138 bytes: 184 base64 characters after the 30-character prefix.
        #expect(with.count == 30 + 184)
        // Without metadata: 102 bytes, 136 characters.
        #expect(without.count == 30 + 136)
    }
}

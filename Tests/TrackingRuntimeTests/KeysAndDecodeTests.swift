import Foundation
import Testing
import Tracking
@testable import TrackingRuntime

@Suite("Keys and decode")
struct KeysAndDecodeTests {
    @Test("keys.file is read, relative to the configuration file")
    func keysFile() throws {
        let c = try ConfigLoader.parse("keys:\n  file: keys/tracking.keys\n", file: "/etc/tracking-milter/config.yaml")
        #expect(c.keysFile == "/etc/tracking-milter/keys/tracking.keys")
        let absolute = try ConfigLoader.parse("keys:\n  file: /srv/k\n", file: "/etc/x.yaml")
        #expect(absolute.keysFile == "/srv/k")
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("keys:\n  path: /srv/k\n", file: "/etc/x.yaml") }
    }

    @Test("a missing key file stops start-up and says how to make one")
    func missingKeys() throws {
        var c = Configuration(file: "t.yaml")
        c.keysFile = "/nonexistent/tracking.keys"
        #expect { try KeyringLoader.load(c) } throws: { error in
            "\(error)".contains("/nonexistent/tracking.keys") && "\(error)".contains("keygen")
        }
    }

    @Test("the token is found in click URLs, open URLs and bare", arguments: [
        ("https://t.example/f/a/TOKEN", "TOKEN"), ("http://t.example:8080/q/TOKEN", "TOKEN"),
        ("https://t.example/f/pricing/TOKEN?utm=1", "TOKEN"), ("TOKEN", "TOKEN"), ("https://t.example/q/TOKEN/", "TOKEN"),
    ])
    func tokenText(url: String, token: String) {
        #expect(TrackingURL.token(in: url) == Substring(token))
    }

    @Test("decode shows every sealed field with SparkPost's names")
    func render() throws {
        let keyring = try TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "k")
        let sealer = TokenSealer(keyring: keyring)
        let token = TrackingToken(
            kind: .click, targetURL: "https://shop.example/p?a=1&b=2", linkName: "Buy", unsubscribe: false,
            messageID: sealer.messageID, recipient: "r@x.example", customerID: "acme", campaignID: "spring",
            metadata: #"{"k":"v"}"#, tags: ["a", "b"], expiry: 4_000_000_000)
        let url = TrackingURL.click(scheme: .https, domain: "t.example", sublink: nil, token: try sealer.seal(token))
        let opened = try TrackingToken.open(TrackingURL.token(in: url), with: keyring)
        let json = try #require(JSONSerialization.jsonObject(with: Data(TokenJSON.render(opened, now: Date(timeIntervalSince1970: 0)).utf8)) as? [String: Any])
        #expect(json["type"] as? String == "click")
        #expect(json["target_link_url"] as? String == "https://shop.example/p?a=1&b=2")
        #expect(json["target_link_name"] as? String == "Buy")
        #expect(json["rcpt_to"] as? String == "r@x.example")
        #expect(json["customer_id"] as? String == "acme")
        #expect(json["campaign_id"] as? String == "spring")
        #expect((json["rcpt_meta"] as? [String: String]) == ["k": "v"])
        #expect((json["rcpt_tags"] as? [String]) == ["a", "b"])
        #expect(json["message_id"] as? String == MessageID(bytes: sealer.messageID).description)
        #expect(json["expired"] as? Bool == false)
        #expect(json["expires_at"] as? String == "2096-10-02T07:06:40.000Z")
    }
}

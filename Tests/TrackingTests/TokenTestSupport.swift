import Foundation
import Tracking

/// Keys, tokens and a second (Foundation-based) base64url codec for the token tests.
enum TokenTestSupport {
    static func key(_ id: UInt8, fill: UInt8 = 0x42) -> TrackingKey {
        TrackingKey(id: id, secret: [UInt8](repeating: fill, count: 32))!
    }

    static func keyring(_ keys: [TrackingKey], active: UInt8) -> TrackingKeyring {
        TrackingKeyring(keys: keys, activeID: active)!
    }

    static let keyring = keyring([key(7)], active: 7)

    /// A click with every field set.
    static func fullToken(messageID: [UInt8]) -> TrackingToken {
        TrackingToken(
            kind: .click,
            targetURL: "https://shop.example.com/spring?utm_source=mail&x=1",
            linkName: "Spring sale",
            unsubscribe: false,
            messageID: messageID,
            recipient: "jane.doe@example.org",
            customerID: "customer-17",
            campaignID: "spring-2025",
            metadata: #"{"order":1234,"segment":"vip"}"#,
            tags: ["promo", "q2"],
            expiry: 1_780_000_000
        )
    }

    static func seal(_ token: (_ messageID: [UInt8]) -> TrackingToken, with keyring: TrackingKeyring = keyring) throws -> (text: String, token: TrackingToken) {
        let sealer = TokenSealer(keyring: keyring)
        let token = token(sealer.messageID)
        return (try sealer.seal(token), token)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { Array($0) }
    }

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

import Crypto
import TrackingRuntime

/// The optional request signature (`signing_secret`): HMAC-SHA256 over
/// `TIMESTAMP + "." + BODY`, so a receiver can check that a request is ours, unaltered and
/// recent (docs/events.md, "Verifying the signature").
public enum WebhookSignature {
    /// Unix seconds when the request was signed, in decimal.
    public static let timestampHeader = "X-Tracking-Signature-Timestamp"
    /// The signature: 64 lowercase hex digits.
    public static let signatureHeader = "X-Tracking-Signature"

    /// The hex HMAC-SHA256 of `timestamp + "." + body` under `secret`.
    public static func sign(body: [UInt8], timestamp: Int, secret: Secret) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.value.utf8)))
        hmac.update(data: Array("\(timestamp).".utf8))
        hmac.update(data: body)
        return hex(Array(hmac.finalize()))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

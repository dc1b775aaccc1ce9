/// The layout of a sealed token, before URL-safe base64 (no padding):
///
/// | bytes | content |
/// |---|---|
/// | 0 | format version (2; 1 still opens); authenticated as associated data |
/// | 1 | key id; authenticated as associated data |
/// | 2–11 | message id (10 bytes) — the first 10 bytes of the nonce |
/// | 12–13 | link counter, big-endian — the last 2 bytes of the nonce |
/// | 14 … n−17 | ChaCha20 ciphertext of the body (`TokenBody`), same length as the body |
/// | n−16 … n−1 | Poly1305 tag |
///
/// The nonce is the message id plus a per-message counter instead of 12 random bytes, which
/// saves the 10 bytes the message id would otherwise take inside the body. Nonces are
/// unique per key because `TokenSealer` draws the message id itself (80 random bits per
/// message, the same assumption SparkPost-style message ids already rest on) and counts its
/// own tokens, refusing a 65 537th; no caller can pick either half. ChaCha20-Poly1305 is
/// chosen over AES-GCM because, should two messages ever draw the same id, a repeated nonce
/// exposes only those tokens (Poly1305's one-time key is per nonce), whereas with AES-GCM it
/// reveals the hash key and allows forgeries under the whole key.
enum SealedTokenFormat {
    /// The version tokens are sealed in. Version 2 codes the sender's strings with
    /// `TokenDictionary`; version 1 (plain strings, target prefix flags) still opens.
    static let version: UInt8 = 2
    static let openableVersions: ClosedRange<UInt8> = 1...2
    static let messageIDLength = 10
    static let counterLength = 2
    static let tagLength = 16
    /// Version, key id, nonce.
    static let headerLength = 2 + messageIDLength + counterLength
    /// The shortest sealed token: header and tag around an empty ciphertext.
    static let minimumLength = headerLength + tagLength
    /// Tokens one sealer may make, so that the counter never wraps.
    static let maxTokensPerMessage = 1 << (8 * counterLength)
    /// Bytes one string field (or the tag count) may have; the varint length takes at most 3 bytes.
    static let maxFieldBytes = 65_535
    /// The coded length of such a field: dictionary coding never grows ASCII, and a run of
    /// UTF-8 beyond ASCII (two bytes at least) costs two bytes more.
    static let maxCodedFieldBytes = 2 * maxFieldBytes

    /// The associated data: what is authenticated but not encrypted.
    static func associatedData(keyID: UInt8) -> [UInt8] {
        [version, keyID]
    }
}

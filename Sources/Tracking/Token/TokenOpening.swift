import Crypto

extension TrackingToken {
    /// Opens a token's URL text with any key of the keyring. An expired token still opens:
    /// check `isExpired(now:)` to decide whether the hit records an event.
    public static func open(_ text: some StringProtocol, with keyring: TrackingKeyring) throws(TokenError) -> TrackingToken {
        guard let sealed = Base64URL.decode(text) else { throw .malformed(.notBase64) }
        guard sealed.count >= SealedTokenFormat.minimumLength else { throw .malformed(.truncated) }
        let version = sealed[0]
        let keyID = sealed[1]
        guard SealedTokenFormat.openableVersions.contains(version) else { throw .malformed(.unsupportedVersion(version)) }
        guard let key = keyring.key(id: keyID) else { throw .unknownKey(keyID) }

        let body: [UInt8]
        do {
            // Nonce, ciphertext and tag follow the two header bytes in exactly the "combined"
            // layout, so the box takes them in one copy.
            let box = try ChaChaPoly.SealedBox(combined: sealed[2...])
            body = Array(try ChaChaPoly.open(box, using: key.cipherKey, authenticating: sealed[0..<2]))
        } catch {
            // The lengths are checked above, so authentication is the one thing left to fail.
            throw .tampered(keyID: keyID)
        }
        let messageID = Array(sealed[2..<2 + SealedTokenFormat.messageIDLength])
        guard let token = TokenBody.decode(body[...], version: version, messageID: messageID) else { throw .malformed(.invalidContent) }
        return token
    }
}

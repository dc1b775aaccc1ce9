import Synchronization

/// Seals the tracking tokens of one message: make one per message, seal every link and
/// pixel of that message with it, and use its `messageID` for the message's tokens and logs.
///
/// The sealer draws the message id itself and counts the tokens it seals; the two together
/// are the nonce (see `SealedTokenFormat`), so no caller can ever repeat one. Safe to share
/// between threads.
public final class TokenSealer: Sendable {
    /// The message's fresh 10-byte random id (SPEC §5); every token sealed here must carry it.
    public let messageID: [UInt8]
    /// The key active when the sealer was made: all of a message's tokens use one key.
    public let key: TrackingKey
    private let state = Mutex(State())

    /// The tokens sealed so far, and the cipher context, made at the first seal (a message
    /// without links never needs one).
    private struct State {
        var sealedCount = 0
        var cipher: ChaChaPolyContext?
    }

    /// A sealer for a new message, with a fresh message id drawn from `random`, sealing under
    /// the keyring's active key. `random` must be a cryptographically secure source: the
    /// message id is half of every nonce, so a repeated id under one key breaks the cipher.
    public init(keyring: TrackingKeyring, random: inout some RandomNumberGenerator) {
        self.messageID = randomBytes(SealedTokenFormat.messageIDLength, using: &random)
        self.key = keyring.activeKey
    }

    /// The token's URL text: URL-safe base64 without padding, safe in a path segment.
    public func seal(_ token: TrackingToken) throws(TokenSealError) -> String {
        guard token.messageID == messageID else { throw .foreignMessageID }
        let body = try TokenBody.encode(token)
        let associatedData = SealedTokenFormat.associatedData(keyID: key.id)
        // Layout: version, key id, nonce, ciphertext, tag — the first two are the associated data.
        var sealed: [UInt8] = []
        sealed.reserveCapacity(SealedTokenFormat.headerLength + body.count + SealedTokenFormat.tagLength)
        sealed.append(contentsOf: associatedData)
        sealed.append(contentsOf: messageID)
        let outcome = state.withLock { state -> TokenSealError? in
            // The counter is taken only once the body is known to encode, but it is never
            // given back: a number handed out is spent even if the cipher then fails.
            guard state.sealedCount < SealedTokenFormat.maxTokensPerMessage else { return .tooManyTokens }
            let counter = state.sealedCount
            state.sealedCount += 1
            sealed.append(UInt8(counter >> 8))
            sealed.append(UInt8(counter & 0xFF))
            if state.cipher == nil { state.cipher = ChaChaPolyContext(key: key) }
            guard let cipher = state.cipher else { return .cipherFailed("libcrypto could not make a ChaCha20-Poly1305 context") }
            let nonce = Array(sealed[associatedData.count..<SealedTokenFormat.headerLength])
            guard cipher.seal(nonce: nonce, associatedData: associatedData, plaintext: body, appendingTo: &sealed) else {
                return .cipherFailed("libcrypto's ChaCha20-Poly1305 seal failed")
            }
            return nil
        }
        if let outcome { throw outcome }
        return Base64URL.encode(sealed)
    }
}

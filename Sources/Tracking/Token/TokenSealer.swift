import Crypto
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
    private let sealedCount = Mutex(0)

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
        // The counter is taken only once the body is known to encode, but it is never
        // given back: a number handed out is spent even if the cipher then fails.
        let counter = sealedCount.withLock { count -> Int? in
            guard count < SealedTokenFormat.maxTokensPerMessage else { return nil }
            defer { count += 1 }
            return count
        }
        guard let counter else { throw .tooManyTokens }

        var nonceBytes = messageID
        nonceBytes.append(UInt8(counter >> 8))
        nonceBytes.append(UInt8(counter & 0xFF))
        let associatedData = SealedTokenFormat.associatedData(keyID: key.id)
        let box: ChaChaPoly.SealedBox
        do {
            box = try ChaChaPoly.seal(
                body, using: key.cipherKey, nonce: try ChaChaPoly.Nonce(data: nonceBytes), authenticating: associatedData
            )
        } catch {
            throw .cipherFailed(String(describing: error))
        }
        // Layout: version, key id, nonce, ciphertext, tag — the first two are the associated data.
        // `combined` is nonce, ciphertext and tag in one buffer: no copy of each part.
        let combined = box.combined
        var sealed: [UInt8] = []
        sealed.reserveCapacity(associatedData.count + combined.count)
        sealed.append(contentsOf: associatedData)
        combined.withUnsafeBytes { sealed.append(contentsOf: $0) }
        return Base64URL.encode(sealed)
    }
}

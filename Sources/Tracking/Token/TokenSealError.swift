/// Why a token could not be sealed. The caller leaves the link (or the message) untracked.
public enum TokenSealError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A string field of the token.
    public enum Field: String, Sendable {
        case targetURL = "target URL"
        case linkName = "link name"
        case recipient, customerID = "customer id", campaignID = "campaign id", metadata, tag
    }

    /// The token's message id is not the sealer's; nonces are only unique for the sealer's own id.
    case foreignMessageID
    /// The sealer has made the most tokens one message can have (its nonce counter is used up).
    case tooManyTokens
    /// A field has more UTF-8 bytes than a token holds (65 535).
    case fieldTooLong(Field, bytes: Int)
    /// More tags than a token holds (65 535).
    case tooManyTags(Int)
    /// The cipher refused to seal; carries its explanation.
    case cipherFailed(String)

    public var description: String {
        switch self {
        case .foreignMessageID:
            "the token's message id is not the one its sealer was made for (use the sealer's messageID)"
        case .tooManyTokens:
            "one message can have at most \(SealedTokenFormat.maxTokensPerMessage) tracking tokens"
        case .fieldTooLong(let field, let bytes):
            "the \(field.rawValue) has \(bytes) bytes; a token holds at most \(SealedTokenFormat.maxFieldBytes)"
        case .tooManyTags(let count):
            "\(count) tags; a token holds at most \(SealedTokenFormat.maxFieldBytes)"
        case .cipherFailed(let reason):
            "sealing failed: \(reason)"
        }
    }
}

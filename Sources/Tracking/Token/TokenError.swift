/// Why a tracked URL's token did not open. The tracker answers 404 and never redirects.
public enum TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How the token text is broken before any key is tried (or, rarely, after).
    public enum Malformation: Sendable, Equatable {
        /// Not URL-safe base64 without padding.
        case notBase64
        /// Shorter than the smallest sealed token.
        case truncated
        /// A format version this build does not read.
        case unsupportedVersion(UInt8)
        /// It authenticated, yet the content is not a valid token of its version.
        case invalidContent
    }

    case malformed(Malformation)
    /// Sealed with a key id the keyring does not have.
    case unknownKey(UInt8)
    /// Authentication failed under the key with this id: altered, or a different secret under the same id.
    case tampered(keyID: UInt8)

    public var description: String {
        switch self {
        case .malformed(.notBase64):
            "the token is not URL-safe base64; it was altered or cut in transit"
        case .malformed(.truncated):
            "the token is too short to be a sealed token; it was probably cut off in transit"
        case .malformed(.unsupportedVersion(let version)):
            "the token has format version \(version), but this tracker reads versions \(SealedTokenFormat.openableVersions.lowerBound)–\(SealedTokenFormat.openableVersions.upperBound)"
        case .malformed(.invalidContent):
            "the token authenticated but its content is not a valid token; it was sealed by an incompatible build"
        case .unknownKey(let id):
            "sealed with key \(id), which is not in the key file; add key \(id) back if its links should still work"
        case .tampered(let id):
            "the token does not authenticate under key \(id): it was altered, or key \(id) in the key file is not the secret it was sealed with"
        }
    }
}

/// Why an RFC 2047 encoded-word could not be decoded.
public enum EncodedWordError: Error, Sendable, Equatable {
    /// The charset is not one this decoder knows; carries the name as written.
    case unsupportedCharset(String)
    /// The encoded text of a `B` word is not base64.
    case invalidBEncoding
    /// The encoded text of a `Q` word has an `=` not followed by two hex digits.
    case invalidQEncoding
    /// The decoded bytes are not valid in the declared charset (name as written).
    case invalidText(charset: String)
}

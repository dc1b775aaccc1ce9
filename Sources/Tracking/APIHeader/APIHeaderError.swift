/// An X-MSYS-API header the message must be rejected for, with Momentum's reply.
///
/// The reply is always `550 5.6.0 <replyText>`.
public struct APIHeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the header.
    public enum Kind: Sendable, Equatable {
        /// The message has more than one X-MSYS-API header.
        case duplicateHeader
        /// An RFC 2047 encoded-word in the value could not be decoded.
        case encodedWord(EncodedWordError)
        /// The value is not JSON; carries a short reason (wording depends on the platform's Foundation).
        case invalidJSON(reason: String)
        /// The value is JSON but not an object.
        case notAnObject
        /// `campaign_id` is not a string.
        case campaignIDNotString
        /// `campaign_id` has more than `APIHeader.maxCampaignIDBytes` UTF-8 bytes.
        case campaignIDTooLong
        /// `metadata` is not a JSON object.
        case metadataNotObject
        /// `tags` is not an array.
        case tagsNotArray
        /// Some entry of `tags` (kept or not) is not a string.
        case tagNotString
        /// `options` is not a JSON object.
        case optionsNotObject
        /// A tracking option is not `true` or `false`; carries its dotted name, e.g. `options.open_tracking`.
        case optionNotBoolean(String)
    }

    public let kind: Kind

    public init(_ kind: Kind) {
        self.kind = kind
    }

    /// SMTP reply code.
    public var code: String { "550" }

    /// RFC 3463 enhanced status code (5.6.0: other or undefined media error).
    public var enhancedCode: String { "5.6.0" }

    /// The reply text after `550 5.6.0 `: one line of printable ASCII.
    public var replyText: String {
        // Names and reasons taken from the message are sanitized here, once, for every kind.
        PrintableASCII.sanitize(rawReplyText, maxLength: 400)
    }

    public var description: String { "\(code) \(enhancedCode) \(replyText)" }

    private var rawReplyText: String {
        let header = APIHeader.name
        switch kind {
        case .duplicateHeader:
            return "more than one \(header) header"
        case .encodedWord(.unsupportedCharset(let charset)):
            return "\(header) encoded-word charset '\(Self.shortened(charset))' is not supported"
        case .encodedWord(.invalidBEncoding):
            return "\(header) encoded-word is not valid base64"
        case .encodedWord(.invalidQEncoding):
            return "\(header) encoded-word is not valid Q encoding"
        case .encodedWord(.invalidText(let charset)):
            return "\(header) encoded-word is not valid '\(Self.shortened(charset))' text"
        case .invalidJSON(let reason):
            return "\(header) header is not valid JSON: \(Self.shortened(reason, to: 80))"
        case .notAnObject:
            return "\(header) must be a json object"
        case .campaignIDNotString:
            return "\(header) 'campaign_id' must be of type 'string'"
        case .campaignIDTooLong:
            // Momentum's wording names the context variable, not the header field.
            return "smtpapi_campaign_id context is limited to \(APIHeader.maxCampaignIDBytes) bytes"
        case .metadataNotObject:
            return "\(header) 'metadata' must be of type 'json object'"
        case .tagsNotArray:
            return "\(header) 'tags' must be of type 'array'"
        case .tagNotString:
            return "\(header) 'tags' entries must be of type 'string'"
        case .optionsNotObject:
            return "\(header) 'options' must be of type 'json object'"
        case .optionNotBoolean(let name):
            return "\(header) '\(Self.shortened(name))' must be of type 'boolean'"
        }
    }

    /// Keeps sender-chosen text from filling the reply line.
    private static func shortened(_ text: String, to limit: Int = 40) -> String {
        guard text.unicodeScalars.count > limit else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit))) + "..."
    }
}

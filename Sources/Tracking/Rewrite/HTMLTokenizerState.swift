/// The HTML5 tokenizer states the rewriter follows (WHATWG HTML §13.2.5), named as there.
/// Character-reference states are absent: references only matter inside the attribute
/// values the rewriter decodes, which it decodes when the tag is complete. The DOCTYPE
/// states collapse into `bogusComment`, since every one of them ends at the first `>`.
enum HTMLTokenizerState: UInt8 {
    case data
    case tagOpen, endTagOpen, tagName
    case beforeAttributeName, attributeName, afterAttributeName, beforeAttributeValue
    case attributeValueDoubleQuoted, attributeValueSingleQuoted, attributeValueUnquoted
    case afterAttributeValueQuoted, selfClosingStartTag
    case markupDeclarationOpen, bogusComment
    case commentStart, commentStartDash, comment
    /// After `<!--[`: still an ordinary comment unless `if` and a non-alphanumeric byte follow.
    case conditionalCommentStart
    case rawText, rawTextLessThanSign, rawTextEndTagOpen, rawTextEndTagName
    case scriptData, scriptDataLessThanSign, scriptDataEndTagOpen, scriptDataEndTagName
    case scriptDataEscapeStart, scriptDataEscapeStartDash
    case scriptDataEscaped, scriptDataEscapedDash, scriptDataEscapedDashDash
    case scriptDataEscapedLessThanSign, scriptDataEscapedEndTagOpen, scriptDataEscapedEndTagName
    case scriptDataDoubleEscapeStart, scriptDataDoubleEscaped, scriptDataDoubleEscapedDash
    case scriptDataDoubleEscapedDashDash, scriptDataDoubleEscapedLessThanSign, scriptDataDoubleEscapeEnd
    case plaintext
}

/// Where a comment stands with respect to its end. HTML5's comment states reduce to this as
/// far as the end is concerned: a comment ends at the first `-->` or `--!>` (and at `<!-->`
/// or `<!--->` right after it opens, handled by `commentStart` and `commentStartDash`).
enum CommentEnd: UInt8 {
    case text, dash, dashDash, dashDashBang

    /// Advances by one byte; true when the byte closes the comment.
    @inline(__always)
    mutating func closes(after byte: UInt8) -> Bool {
        switch self {
        case .text:
            if byte == UInt8(ascii: "-") { self = .dash }
        case .dash:
            self = byte == UInt8(ascii: "-") ? .dashDash : .text
        case .dashDash:
            switch byte {
            case UInt8(ascii: ">"): return true
            case UInt8(ascii: "!"): self = .dashDashBang
            case UInt8(ascii: "-"): break
            default: self = .text
            }
        case .dashDashBang:
            switch byte {
            case UInt8(ascii: ">"): return true
            case UInt8(ascii: "-"): self = .dash
            default: self = .text
            }
        }
        return false
    }
}

/// Byte classes of the HTML5 tokenizer.
enum HTMLByte {
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let slash = UInt8(ascii: "/")
    static let equals = UInt8(ascii: "=")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let dash = UInt8(ascii: "-")

    /// Tab, LF, FF, CR and space. HTML5 turns CR into LF before tokenizing; treating CR as
    /// whitespace here has the same effect without touching the bytes.
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C
    }

    @inline(__always)
    static func isAlpha(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return lower >= 0x61 && lower <= 0x7A
    }

    @inline(__always)
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isAlpha(byte) || (byte >= 0x30 && byte <= 0x39)
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}

extension HTMLTokenizer {
    /// One byte in the current state. Returns false when the state changed and the byte
    /// must be looked at again in the new one (HTML5's "reconsume").
    @inline(__always)
    mutating func step(_ byte: UInt8, at i: Int, _ buf: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        switch state {
        case .data:
            if byte == HTMLByte.lessThan {
                beginHold(at: i, buf, into: &out)
                state = .tagOpen
            } else if watchingBody, !conditional, !HTMLByte.isSpace(byte) {
                // Text starts the body.
                placeTop(before: i, buf, into: &out)
            }
            return true
        case .tagOpen:
            if HTMLByte.isAlpha(byte) {
                beginTagName(byte, isEnd: false)
                return true
            }
            switch byte {
            case UInt8(ascii: "!"):
                releaseHold(into: &out)
                state = .markupDeclarationOpen
                matched = 0
                declarationCandidates = 0b111
                return true
            case HTMLByte.slash:
                state = .endTagOpen
                return true
            case UInt8(ascii: "?"):
                releaseHold(into: &out)
                state = .bogusComment
                return true
            default:
                // A `<` that starts nothing is text, and text starts the body.
                if watchingBody, !conditional { placeTop(before: nil, into: &out) }
                releaseHold(into: &out)
                state = .data
                return false
            }
        case .endTagOpen:
            if HTMLByte.isAlpha(byte) {
                beginTagName(byte, isEnd: true)
                return true
            }
            releaseHold(into: &out)
            // `</>` is nothing at all; anything else starts a bogus comment.
            state = byte == HTMLByte.greaterThan ? .data : .bogusComment
            return true
        case .tagName:
            if HTMLByte.isSpace(byte) {
                endTagName(at: i, buf, into: &out)
                whitespaceStart = absolute(i)
                state = .beforeAttributeName
            } else if byte == HTMLByte.slash {
                endTagName(at: i, buf, into: &out)
                whitespaceStart = -1
                state = .selfClosingStartTag
            } else if byte == HTMLByte.greaterThan {
                endTagName(at: i, buf, into: &out)
                finishTag(at: i, buf, into: &out)
            } else {
                name.append(byte)
            }
            return true
        case .beforeAttributeName:
            if HTMLByte.isSpace(byte) {
                if whitespaceStart < 0 { whitespaceStart = absolute(i) }
            } else if byte == HTMLByte.slash {
                whitespaceStart = -1
                state = .selfClosingStartTag
            } else if byte == HTMLByte.greaterThan {
                finishTag(at: i, buf, into: &out)
            } else {
                // Includes `=`, which HTML5 takes as the first character of a name here.
                beginAttribute(at: i)
                state = .attributeName
            }
            return true
        case .attributeName:
            if HTMLByte.isSpace(byte) {
                endAttributeName(at: i)
                whitespaceStart = absolute(i)
                state = .afterAttributeName
            } else if byte == HTMLByte.slash {
                endAttributeName(at: i)
                whitespaceStart = -1
                state = .selfClosingStartTag
            } else if byte == HTMLByte.greaterThan {
                endAttributeName(at: i)
                finishTag(at: i, buf, into: &out)
            } else if byte == HTMLByte.equals {
                endAttributeName(at: i)
                markEquals(at: i)
                state = .beforeAttributeValue
            }
            return true
        case .afterAttributeName:
            if HTMLByte.isSpace(byte) {
                if whitespaceStart < 0 { whitespaceStart = absolute(i) }
            } else if byte == HTMLByte.slash {
                whitespaceStart = -1
                state = .selfClosingStartTag
            } else if byte == HTMLByte.equals {
                markEquals(at: i)
                state = .beforeAttributeValue
            } else if byte == HTMLByte.greaterThan {
                finishTag(at: i, buf, into: &out)
            } else {
                beginAttribute(at: i)
                state = .attributeName
            }
            return true
        case .beforeAttributeValue:
            if HTMLByte.isSpace(byte) { return true }
            switch byte {
            case HTMLByte.doubleQuote:
                beginValue(at: i + 1, quote: byte)
                state = .attributeValueDoubleQuoted
            case HTMLByte.singleQuote:
                beginValue(at: i + 1, quote: byte)
                state = .attributeValueSingleQuoted
            case HTMLByte.greaterThan:
                finishTag(at: i, buf, into: &out)
            default:
                beginValue(at: i, quote: 0)
                state = .attributeValueUnquoted
            }
            return true
        case .attributeValueDoubleQuoted:
            if byte == HTMLByte.doubleQuote {
                endValue(at: i, quoted: true)
                state = .afterAttributeValueQuoted
            }
            return true
        case .attributeValueSingleQuoted:
            if byte == HTMLByte.singleQuote {
                endValue(at: i, quoted: true)
                state = .afterAttributeValueQuoted
            }
            return true
        case .attributeValueUnquoted:
            if HTMLByte.isSpace(byte) {
                endValue(at: i, quoted: false)
                whitespaceStart = absolute(i)
                state = .beforeAttributeName
            } else if byte == HTMLByte.greaterThan {
                endValue(at: i, quoted: false)
                finishTag(at: i, buf, into: &out)
            }
            return true
        case .afterAttributeValueQuoted:
            if HTMLByte.isSpace(byte) {
                whitespaceStart = absolute(i)
                state = .beforeAttributeName
                return true
            }
            if byte == HTMLByte.slash {
                whitespaceStart = -1
                state = .selfClosingStartTag
                return true
            }
            if byte == HTMLByte.greaterThan {
                finishTag(at: i, buf, into: &out)
                return true
            }
            whitespaceStart = -1
            state = .beforeAttributeName
            return false
        case .selfClosingStartTag:
            if byte == HTMLByte.greaterThan {
                finishTag(at: i, buf, into: &out)
                return true
            }
            state = .beforeAttributeName
            return false
        case .markupDeclarationOpen:
            return stepMarkupDeclaration(byte)
        case .bogusComment:
            if byte == HTMLByte.greaterThan { state = .data }
            return true
        case .commentStart:
            switch byte {
            case HTMLByte.dash:
                state = .commentStartDash
            case HTMLByte.greaterThan:
                state = .data  // `<!-->`
            case UInt8(ascii: "[") where !conditional:
                matched = 1
                state = .conditionalCommentStart
            default:
                comment = .text
                state = .comment
                return false
            }
            return true
        case .commentStartDash:
            switch byte {
            case HTMLByte.dash:
                comment = .dashDash
                state = .comment
            case HTMLByte.greaterThan:
                state = .data  // `<!--->`
            default:
                comment = .text
                state = .comment
                return false
            }
            return true
        case .comment:
            if comment.closes(after: byte) { state = .data }
            return true
        case .conditionalCommentStart:
            if matched < 3 {
                if HTMLByte.lowercased(byte) == (matched == 1 ? UInt8(ascii: "i") : UInt8(ascii: "f")) {
                    matched += 1
                    return true
                }
            } else if !HTMLByte.isAlphanumeric(byte) {
                // `<!--[if ...]>`: from here on the content is markup, inside the comment.
                conditional = true
                outerComment = .text
                state = .data
                return false
            }
            comment = .text
            state = .comment
            return false
        default:
            return stepRawText(byte, at: i, buf, into: &out)
        }
    }

    /// After `<!`: `--` opens a comment; `DOCTYPE` (any case) and `[CDATA[` (outside SVG and
    /// MathML, which are not followed) end at the next `>` like a bogus comment, as does
    /// anything else.
    private mutating func stepMarkupDeclaration(_ byte: UInt8) -> Bool {
        var alive: UInt8 = 0
        for (index, candidate) in Self.declarations.enumerated() where declarationCandidates & (1 << index) != 0 {
            let actual = index == 1 ? HTMLByte.lowercased(byte) : byte
            guard matched < candidate.count, actual == candidate[matched] else { continue }
            if matched + 1 == candidate.count {
                state = index == 0 ? .commentStart : .bogusComment
                return true
            }
            alive |= 1 << index
        }
        declarationCandidates = alive
        matched += 1
        if alive == 0 {
            state = .bogusComment
            return false
        }
        return true
    }

    /// `--`, `doctype` (compared lower-cased), `[CDATA[`.
    private static let declarations: [[UInt8]] = [Array("--".utf8), Array("doctype".utf8), Array("[CDATA[".utf8)]
}

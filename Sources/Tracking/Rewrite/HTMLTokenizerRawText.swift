extension HTMLTokenizer {
    /// The RAWTEXT/RCDATA and script data states: content that is not markup, up to the
    /// "appropriate end tag" (`</` + the element's own name + whitespace, `/` or `>`).
    /// `<a href>` in a `<style>`, `<script>` or `<textarea>` is text, not a link.
    mutating func stepRawText(_ byte: UInt8, at i: Int, _ buf: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        switch state {
        case .rawText:
            if byte == HTMLByte.lessThan { state = .rawTextLessThanSign }
            return true
        case .rawTextLessThanSign:
            if byte == HTMLByte.slash {
                state = .rawTextEndTagOpen
                return true
            }
            state = .rawText
            return false
        case .rawTextEndTagOpen:
            state = HTMLByte.isAlpha(byte) ? beginEndTagMatch(.rawTextEndTagName) : .rawText
            return false
        case .rawTextEndTagName:
            return stepEndTagName(byte, at: i, buf, into: &out, otherwise: .rawText)

        case .scriptData:
            if byte == HTMLByte.lessThan { state = .scriptDataLessThanSign }
            return true
        case .scriptDataLessThanSign:
            if byte == HTMLByte.slash {
                state = .scriptDataEndTagOpen
            } else if byte == UInt8(ascii: "!") {
                state = .scriptDataEscapeStart
            } else {
                state = .scriptData
                return false
            }
            return true
        case .scriptDataEndTagOpen:
            state = HTMLByte.isAlpha(byte) ? beginEndTagMatch(.scriptDataEndTagName) : .scriptData
            return false
        case .scriptDataEndTagName:
            return stepEndTagName(byte, at: i, buf, into: &out, otherwise: .scriptData)
        case .scriptDataEscapeStart:
            guard byte == HTMLByte.dash else { state = .scriptData; return false }
            state = .scriptDataEscapeStartDash
            return true
        case .scriptDataEscapeStartDash:
            guard byte == HTMLByte.dash else { state = .scriptData; return false }
            state = .scriptDataEscapedDashDash
            return true
        case .scriptDataEscaped, .scriptDataEscapedDash, .scriptDataEscapedDashDash:
            if byte == HTMLByte.dash {
                state = state == .scriptDataEscaped ? .scriptDataEscapedDash : .scriptDataEscapedDashDash
            } else if byte == HTMLByte.lessThan {
                state = .scriptDataEscapedLessThanSign
            } else if byte == HTMLByte.greaterThan, state == .scriptDataEscapedDashDash {
                state = .scriptData
            } else {
                state = .scriptDataEscaped
            }
            return true
        case .scriptDataEscapedLessThanSign:
            if byte == HTMLByte.slash {
                state = .scriptDataEscapedEndTagOpen
                return true
            }
            state = HTMLByte.isAlpha(byte) ? beginEndTagMatch(.scriptDataDoubleEscapeStart) : .scriptDataEscaped
            return false
        case .scriptDataEscapedEndTagOpen:
            state = HTMLByte.isAlpha(byte) ? beginEndTagMatch(.scriptDataEscapedEndTagName) : .scriptDataEscaped
            return false
        case .scriptDataEscapedEndTagName:
            return stepEndTagName(byte, at: i, buf, into: &out, otherwise: .scriptDataEscaped)
        case .scriptDataDoubleEscapeStart, .scriptDataDoubleEscapeEnd:
            // `<script` inside `<!--` in a script starts a double-escaped section, which the
            // matching `</script` ends; neither ends the script itself.
            let entering = state == .scriptDataDoubleEscapeStart
            if HTMLByte.isSpace(byte) || byte == HTMLByte.slash || byte == HTMLByte.greaterThan {
                let isScript = rawPossible && rawMatched == Self.script.count
                state = isScript == entering ? .scriptDataDoubleEscaped : .scriptDataEscaped
                return true
            }
            if HTMLByte.isAlpha(byte) {
                matchScript(byte)
                return true
            }
            state = entering ? .scriptDataEscaped : .scriptDataDoubleEscaped
            return false
        case .scriptDataDoubleEscaped, .scriptDataDoubleEscapedDash, .scriptDataDoubleEscapedDashDash:
            if byte == HTMLByte.dash {
                state = state == .scriptDataDoubleEscaped ? .scriptDataDoubleEscapedDash : .scriptDataDoubleEscapedDashDash
            } else if byte == HTMLByte.lessThan {
                state = .scriptDataDoubleEscapedLessThanSign
            } else if byte == HTMLByte.greaterThan, state == .scriptDataDoubleEscapedDashDash {
                state = .scriptData
            } else {
                state = .scriptDataDoubleEscaped
            }
            return true
        case .scriptDataDoubleEscapedLessThanSign:
            guard byte == HTMLByte.slash else { state = .scriptDataDoubleEscaped; return false }
            state = beginEndTagMatch(.scriptDataDoubleEscapeEnd)
            return true
        case .plaintext:
            return true
        default:
            preconditionFailure("not a raw text state: \(state)")
        }
    }

    private static let script = HTMLTagName("script")

    /// Starts comparing a name with the raw text element's name; returns `next`.
    private mutating func beginEndTagMatch(_ next: HTMLTokenizerState) -> HTMLTokenizerState {
        rawMatched = 0
        rawPossible = true
        return next
    }

    /// Compares a name byte with "script" for the double-escape states.
    private mutating func matchScript(_ byte: UInt8) {
        if rawPossible, rawMatched < Self.script.count, HTMLByte.lowercased(byte) == Self.script[rawMatched] {
            rawMatched += 1
        } else {
            rawPossible = false
        }
    }

    /// A candidate end tag's name in raw text: the appropriate end tag goes on as an
    /// ordinary end tag; anything else is text, and the byte is looked at again.
    private mutating func stepEndTagName(_ byte: UInt8, at i: Int, _ buf: UnsafeRawBufferPointer,
                                         into out: inout [UInt8], otherwise: HTMLTokenizerState) -> Bool {
        if HTMLByte.isAlpha(byte) {
            if rawPossible, rawMatched < rawName.count, rawMatched < HTMLTagName.capacity,
               HTMLByte.lowercased(byte) == rawName[rawMatched] {
                rawMatched += 1
            } else {
                rawPossible = false
            }
            return true
        }
        let ends = HTMLByte.isSpace(byte) || byte == HTMLByte.slash || byte == HTMLByte.greaterThan
        guard ends, rawPossible, rawMatched == rawName.count else {
            state = otherwise
            return false
        }
        name = rawName
        kind = HTMLTagKind(name)
        isEndTag = true
        recording = false
        if HTMLByte.isSpace(byte) {
            whitespaceStart = absolute(i)
            state = .beforeAttributeName
        } else if byte == HTMLByte.slash {
            whitespaceStart = -1
            state = .selfClosingStartTag
        } else {
            finishTag(at: i, buf, into: &out)
        }
        return true
    }
}

import Foundation

/// Decoding of RFC 2047 encoded-words (`=?charset?B?...?=`, `=?charset?Q?...?=`).
public enum EncodedWords {
    /// Replaces every encoded-word in `s` with the text it encodes.
    ///
    /// Charset and encoding letters are case-insensitive; whitespace between two adjacent
    /// encoded-words is dropped (RFC 2047 §6.2), other text is kept as is. Words are found
    /// anywhere, not only between spaces, as common decoders do. A word whose charset is
    /// unknown, or whose content does not decode, is an error rather than being passed on
    /// undecoded: the caller would otherwise act on text that is not what the sender meant.
    public static func decode(_ s: String) throws(EncodedWordError) -> String {
        guard s.contains("=?") else { return s }
        // Bytes: the encoded-word syntax is ASCII, and other text is copied through untouched.
        let input = Array(s.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        // Bytes of adjacent words in the same charset are joined before conversion, because
        // a multi-byte character may be split across two words.
        var run: (charset: EncodedWordCharset, name: String, bytes: [UInt8])?
        // Where the whitespace after the last word began; it is emitted only if no word follows.
        var whitespaceStart = 0

        func flushRun() throws(EncodedWordError) {
            guard let pending = run else { return }
            run = nil
            guard let text = pending.charset.decode(pending.bytes) else {
                throw .invalidText(charset: pending.name)
            }
            output.append(contentsOf: text.utf8)
        }

        var i = 0
        while i < input.count {
            if let word = try EncodedWord(in: input, at: i) {
                if let pending = run, pending.charset == word.charset {
                    run?.bytes.append(contentsOf: word.bytes)
                } else {
                    try flushRun()
                    run = (word.charset, word.charsetName, word.bytes)
                }
                i = word.end
                whitespaceStart = i
                continue
            }
            if run != nil, isLinearWhitespace(input[i]) {
                i += 1  // held back: dropped if another word follows
                continue
            }
            try flushRun()
            output.append(contentsOf: input[whitespaceStart..<i])
            output.append(input[i])
            i += 1
            whitespaceStart = i
        }
        try flushRun()
        output.append(contentsOf: input[whitespaceStart..<i])
        return String(decoding: output, as: UTF8.self)
    }

    /// Space, tab, and the CR/LF of a fold that was not unfolded first.
    private static func isLinearWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}

/// One encoded-word found in the input, already decoded to bytes of its charset.
private struct EncodedWord {
    let charset: EncodedWordCharset
    let charsetName: String
    let bytes: [UInt8]
    /// Index just past the closing `?=`.
    let end: Int

    /// Matches `=?charset?encoding?text?=` at `start`; nil when the bytes there are not
    /// an encoded-word (so they are ordinary text), an error when it is one but is unusable.
    init?(in input: [UInt8], at start: Int) throws(EncodedWordError) {
        let question = UInt8(ascii: "?"), equals = UInt8(ascii: "=")
        guard start + 1 < input.count, input[start] == equals, input[start + 1] == question else {
            return nil
        }
        var i = start + 2
        let charsetStart = i
        while i < input.count, Self.isTokenByte(input[i]) { i += 1 }
        guard i > charsetStart, i + 2 < input.count, input[i] == question,
              input[i + 2] == question else { return nil }
        let charsetName = String(decoding: input[charsetStart..<i], as: UTF8.self)
        let encoding = input[i + 1] | 0x20  // ASCII lower case
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        i += 3
        let textStart = i
        // Encoded text is printable ASCII without `?` or space (RFC 2047 §2).
        while i < input.count, input[i] > 0x20, input[i] < 0x7F, input[i] != question { i += 1 }
        guard i + 1 < input.count, input[i] == question, input[i + 1] == equals else { return nil }
        let text = input[textStart..<i]

        guard let charset = EncodedWordCharset(name: charsetName) else {
            throw .unsupportedCharset(charsetName)
        }
        if encoding == UInt8(ascii: "b") {
            guard let bytes = Self.decodeB(text) else { throw .invalidBEncoding }
            self.bytes = bytes
        } else {
            guard let bytes = Self.decodeQ(text) else { throw .invalidQEncoding }
            self.bytes = bytes
        }
        self.charset = charset
        self.charsetName = charsetName
        self.end = i + 2
    }

    /// RFC 2045 token characters: printable ASCII except space and tspecials, which also
    /// keeps JSON punctuation (`"`, `:`, `,`) from ever being read as a charset name.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        return !#"()<>@,;:\"/[]?.="#.utf8.contains(byte)
    }

    /// Base64, with the MIME decoder; missing `=` padding is tolerated since some encoders omit it.
    private static func decodeB(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var decoder = Base64Codec.Decoder()
        var out: [UInt8] = []
        do {
            try text.withUnsafeBytes { try decoder.decode($0, into: &out) }
            try decoder.finish(into: &out)
        } catch {
            return nil
        }
        return out
    }

    /// `Q`: `_` is a space, `=XX` a hex byte, anything else itself.
    private static func decodeQ(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var i = text.startIndex
        while i < text.endIndex {
            switch text[i] {
            case UInt8(ascii: "_"):
                bytes.append(0x20)
                i += 1
            case UInt8(ascii: "="):
                guard i + 2 < text.endIndex, let high = Hex.value(text[i + 1]),
                      let low = Hex.value(text[i + 2]) else { return nil }
                bytes.append(high << 4 | low)
                i += 3
            default:
                bytes.append(text[i])
                i += 1
            }
        }
        return bytes
    }

}

/// Where a URL in plain text ends.
enum TextURLBounds {
    /// ASCII bytes that end a URL: whitespace, controls, and characters that cannot be in one
    /// and commonly delimit it (`<`, `>`, `"`, backtick). Braces, brackets, `|` and `^` stay in:
    /// templates (`{{...}}`), IPv6 hosts and real-world query strings use them.
    @inline(__always)
    static func endsURL(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "`")
    }

    /// Non-ASCII characters that end a URL (when the text is UTF-8): C1 controls, Unicode
    /// spaces, and the quotes, brackets and sentence punctuation that prose puts right after a
    /// URL, in Latin and CJK typography. Other non-ASCII characters (IRIs) stay in.
    static func endsURL(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x80...0xA0, 0xAB, 0xBB, 0x1680, 0x2000...0x200B, 0x2018...0x201F, 0x2026, 0x2028, 0x2029,
             0x202F, 0x2039, 0x203A, 0x205F, 0x3000...0x3002, 0x3008...0x3011, 0xFEFF,
             0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF3B, 0xFF3D, 0xFF5B, 0xFF5D:
            return true
        default:
            return false
        }
    }

    /// The end of `url` without trailing sentence punctuation and quotes, and without
    /// trailing closing brackets that no opening bracket in the URL balances
    /// (`https://en.wikipedia.org/wiki/Foo_(bar)` keeps its `)`, `(see https://x.example/)`
    /// does not). Never cuts into the first `bodyStart` bytes (the scheme and `://`).
    static func trimmedEnd(_ url: ArraySlice<UInt8>, bodyStart: Int) -> Int {
        var end = url.endIndex
        let start = url.startIndex + bodyStart
        while end > start {
            let last = url[end - 1]
            if ".,;:!?'\"".utf8.contains(last) {
                end -= 1
                continue
            }
            let opening: UInt8
            switch last {
            case UInt8(ascii: ")"): opening = UInt8(ascii: "(")
            case UInt8(ascii: "]"): opening = UInt8(ascii: "[")
            case UInt8(ascii: "}"): opening = UInt8(ascii: "{")
            default: return end
            }
            let body = url[start..<end]
            guard body.count(where: { $0 == last }) > body.count(where: { $0 == opening }) else { return end }
            end -= 1
        }
        return end
    }
}

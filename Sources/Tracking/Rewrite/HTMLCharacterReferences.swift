/// Decoding of character references in attribute values, and escaping for writing one.
///
/// Decoding follows HTML5's rules for attribute values: numeric references (`&#38;`,
/// `&#x26;`) with or without `;`, with HTML5's replacements (0, surrogates and values past
/// U+10FFFF become U+FFFD; 0x80-0x9F are read as Windows-1252); named references from
/// `HTMLEntityTable` with `;`, and without `;` only for the legacy names and only when the
/// name is not followed by `=` or a letter or digit (so `?a=1&copy=2` keeps its `&copy`).
/// Unknown names stay as written. Decoded characters are written as UTF-8; other bytes are
/// kept as they are.
enum HTMLCharacterReferences {
    static func decodeAttribute(_ value: UnsafeRawBufferPointer) -> [UInt8] {
        guard ByteScan.first(UInt8(ascii: "&"), in: value, from: 0) != nil else { return Array(value) }
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var i = 0
        let n = value.count
        while i < n {
            // The run up to the next "&" is copied as it is, in one append.
            let ampersand = ByteScan.first(UInt8(ascii: "&"), in: value, from: i) ?? n
            if ampersand > i {
                out.append(contentsOf: value.rebased(i..<ampersand))
                i = ampersand
                continue
            }
            let byte = value[i]
            if i + 1 < n, value[i + 1] == UInt8(ascii: "#"), let (scalar, next) = numeric(value, from: i + 2) {
                append(scalar, to: &out)
                i = next
            } else if let (scalar, next) = named(value, from: i + 1) {
                append(scalar, to: &out)
                i = next
            } else {
                out.append(byte)
                i += 1
            }
        }
        return out
    }

    /// Escapes text for an attribute value quoted with `quote`. `<` and `>` are escaped as
    /// well: harmless in a value, and it keeps a value inside an Outlook conditional comment
    /// from ever containing `-->`, which would end the comment.
    static func escapeAttribute(_ text: String, quote: UInt8, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            // Tracked URLs have nothing to escape: runs between special bytes go in one append.
            out.reserveCapacity(out.count + bytes.count)
            var runStart = 0
            for i in bytes.indices {
                let entity: StaticString
                switch bytes[i] {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'") where quote == UInt8(ascii: "'"): entity = "&#39;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                entity.withUTF8Buffer { out.append(contentsOf: $0) }
                runStart = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
    }

    /// `&#...` from just after the `#`: the scalar and the index after the reference.
    private static func numeric(_ value: UnsafeRawBufferPointer, from start: Int) -> (Unicode.Scalar, Int)? {
        var i = start
        let hex = i < value.count && (value[i] | 0x20) == UInt8(ascii: "x")
        if hex { i += 1 }
        let digitsStart = i
        var code: UInt32 = 0
        while i < value.count, let digit = digitValue(value[i], hex: hex) {
            code = min(code * (hex ? 16 : 10) + digit, 0x110000)  // saturate: too large is U+FFFD anyway
            i += 1
        }
        guard i > digitsStart else { return nil }
        if i < value.count, value[i] == UInt8(ascii: ";") { i += 1 }
        return (replacement(for: code), i)
    }

    /// `&name;` or a legacy `&name` from just after the `&`.
    private static func named(_ value: UnsafeRawBufferPointer, from start: Int) -> (Unicode.Scalar, Int)? {
        var i = start
        while i < value.count, i - start < 32, isAlphanumeric(value[i]) { i += 1 }
        guard i > start else { return nil }
        let name = String(decoding: value.rebased(start..<i), as: UTF8.self)
        guard let code = HTMLEntityTable.codePoints[name], let scalar = Unicode.Scalar(code) else { return nil }
        if i < value.count, value[i] == UInt8(ascii: ";") { return (scalar, i + 1) }
        let followedByText = i < value.count && (isAlphanumeric(value[i]) || value[i] == UInt8(ascii: "="))
        guard HTMLEntityTable.legacy.contains(name), !followedByText else { return nil }
        return (scalar, i)
    }

    private static func replacement(for code: UInt32) -> Unicode.Scalar {
        if code >= 0x80 && code <= 0x9F, let mapped = windows1252[Int(code - 0x80)] { return mapped }
        guard code != 0, let scalar = Unicode.Scalar(code) else { return "\u{FFFD}" }
        return scalar
    }

    /// What HTML5 reads `&#128;`...`&#159;` as; nil keeps the code point.
    private static let windows1252: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{02C6}", "\u{2030}", "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil,
        nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]

    private static func append(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        UTF8.encode(scalar) { out.append($0) }
    }

    private static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
    }
}

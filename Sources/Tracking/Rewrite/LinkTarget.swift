/// What the rewriters need to know about a link's target bytes: whether it is a web URL,
/// whether it already points at the tracker, and its text for `FoundLink.target`.
enum LinkTarget {
    /// The target as a browser would use it: leading and trailing C0 controls and spaces
    /// removed, and tabs and line breaks removed everywhere (the WHATWG URL parser does both,
    /// which is why an href broken across lines still works).
    static func cleaned(_ bytes: [UInt8]) -> [UInt8] {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] <= 0x20 { start += 1 }
        while end > start, bytes[end - 1] <= 0x20 { end -= 1 }
        let kept = bytes[start..<end]
        // Almost every target is one line: then it is a plain copy, not a byte-by-byte filter.
        guard kept.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return Array(kept) }
        return kept.filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
    }

    /// The length of the `http://` or `https://` prefix (any case), or nil for other targets.
    static func webSchemeLength(_ bytes: some Collection<UInt8>) -> Int? {
        for scheme in ["http://", "https://"] where bytes.count > scheme.utf8.count {
            if zip(bytes, scheme.utf8).allSatisfy({ lowercased($0) == $1 }) { return scheme.utf8.count }
        }
        return nil
    }

    /// Whether the URL's host[:port] (without user info) is `domain`, ignoring case.
    static func isOnDomain(_ url: [UInt8], schemeLength: Int, domain: [UInt8]) -> Bool {
        var end = schemeLength
        hostEnd: while end < url.count {
            switch url[end] {
            case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "\\"): break hostEnd
            default: end += 1
            }
        }
        var start = schemeLength
        if let at = url[start..<end].lastIndex(of: UInt8(ascii: "@")) { start = at + 1 }
        return end - start == domain.count && zip(url[start..<end], domain).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// The target as text. The part's charset is not known here: valid UTF-8 is kept as it
    /// is; otherwise (a legacy 8-bit charset) every byte above 0x7F is percent-encoded, which
    /// is what a browser sends for such a byte in a query string.
    static func text(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        for byte in bytes {
            if byte < 0x80 { out.append(byte) } else { Hex.appendPercentEncoded(byte, to: &out) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Free text (a link name or sublink): UTF-8 when valid, else read as ISO-8859-1, the
    /// likeliest 8-bit charset, rather than losing the bytes to replacement characters.
    static func label(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}

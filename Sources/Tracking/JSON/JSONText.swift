/// Writing JSON text on bytes: the one home for string escaping, used by metadata in tokens,
/// event lines and JSON log lines. Built on UTF-8 runs because it runs for every event.
public enum JSONText {
    /// Appends `value` as a JSON string: quotes, backslashes and control characters (and DEL)
    /// escaped, everything else copied as UTF-8 in runs. Slashes are not escaped.
    public static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { bytes in
            var runStart = 0
            for i in 0..<bytes.count {
                let byte = bytes[i]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
                appendEscape(byte, to: &out)
                runStart = i + 1
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `value` as a JSON string literal.
    public static func string(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 2)
        appendString(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The characters between the quotes of `value` as a JSON string (also right for a
    /// quoted logfmt value).
    public static func escaped(_ value: String) -> String {
        var out: [UInt8] = []
        appendString(value, to: &out)
        return String(decoding: out.dropFirst().dropLast(), as: UTF8.self)
    }

    /// Appends a static piece of JSON.
    @inline(__always)
    public static func appendLiteral(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): appendLiteral(#"\""#, to: &out)
        case UInt8(ascii: "\\"): appendLiteral(#"\\"#, to: &out)
        case UInt8(ascii: "\n"): appendLiteral(#"\n"#, to: &out)
        case UInt8(ascii: "\r"): appendLiteral(#"\r"#, to: &out)
        case UInt8(ascii: "\t"): appendLiteral(#"\t"#, to: &out)
        default:
            appendLiteral(#"\u00"#, to: &out)
            Hex.appendLower(CollectionOfOne(byte), to: &out)
        }
    }
}

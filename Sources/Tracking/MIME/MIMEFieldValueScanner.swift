/// A cursor over a structured header field value (RFC 2045/2822 syntax, tolerant):
/// tokens, quoted strings with quoted-pairs, and comments, which may nest. Folding line
/// breaks count as whitespace, so folded and unfolded values read the same.
struct MIMEFieldValueScanner {
    let bytes: [UInt8]
    private(set) var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Skips whitespace, line breaks and (comments).
    mutating func skipCFWS() {
        while index < bytes.count {
            switch bytes[index] {
            case MIMEBytes.space, MIMEBytes.tab, MIMEBytes.cr, MIMEBytes.lf:
                index += 1
            case UInt8(ascii: "("):
                skipComment()
            default:
                return
            }
        }
    }

    /// Consumes `byte` if it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// A run of bytes up to whitespace, a comment, a quote or one of `stops`.
    mutating func token(stoppingAt stops: [UInt8]) -> [UInt8] {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte <= MIMEBytes.space || byte == UInt8(ascii: "(") || byte == UInt8(ascii: "\"") || stops.contains(byte) {
                break
            }
            index += 1
        }
        return Array(bytes[start..<index])
    }

    /// A parameter value: a quoted string (quoted-pairs undone; an unclosed quote runs to
    /// the end), or else everything up to `;` or whitespace. The unquoted form accepts
    /// tspecials such as `=` and `/`, which real boundaries carry without quotes.
    mutating func parameterValue() -> [UInt8] {
        guard take(UInt8(ascii: "\"")) else {
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ";"), bytes[index] > MIMEBytes.space {
                index += 1
            }
            return Array(bytes[start..<index])
        }
        var value: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\"), index < bytes.count {
                // A fold between the backslash and what it quotes is unfolded first, so a
                // folded value reads as the unfolded one: the line break is not quoted.
                while index < bytes.count, bytes[index] == MIMEBytes.cr || bytes[index] == MIMEBytes.lf { index += 1 }
                if index < bytes.count {
                    value.append(bytes[index])
                    index += 1
                }
            } else if byte != MIMEBytes.cr && byte != MIMEBytes.lf {
                value.append(byte)
            }
        }
        return value
    }

    /// Moves past the next `;` outside quotes and comments, or to the end.
    mutating func skipPastSemicolon() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: ";"):
                index += 1
                return
            case UInt8(ascii: "\""):
                _ = parameterValue()
            case UInt8(ascii: "("):
                skipComment()
            default:
                index += 1
            }
        }
    }

    private mutating func skipComment() {
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return }
            case UInt8(ascii: "\\"):
                // A quoted-pair; a backslash that ends the value quotes nothing.
                if index < bytes.count { index += 1 }
            default: break
            }
        }
    }
}

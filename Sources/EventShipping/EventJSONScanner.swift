/// One pass over an event's JSON text: checks that it is one well-formed object that
/// PostgreSQL's `jsonb` accepts, and decodes the top-level string members sinks route on.
/// Nested values (`rcpt_meta`, `rcpt_tags`) are checked and skipped. Every read is bounds-
/// checked: the bytes come from spool files.
struct EventJSONScanner {
    /// The top-level members read; nil when absent or null.
    struct Fields {
        var eventID: String?
        var type: String?
        var timestamp: String?
        var messageID: String?
        var rcptTo: String?
        var campaignID: String?
        var customerID: String?
        var targetLinkURL: String?
        var targetLinkName: String?
        var machine: String?

        /// Where member `name`'s decoded string goes, or nil for a member that is skipped.
        static func slot(_ name: [UInt8]) -> WritableKeyPath<Fields, String?>? {
            switch name {
            case Array("event_id".utf8): \.eventID
            case Array("type".utf8): \.type
            case Array("timestamp".utf8): \.timestamp
            case Array("message_id".utf8): \.messageID
            case Array("rcpt_to".utf8): \.rcptTo
            case Array("campaign_id".utf8): \.campaignID
            case Array("customer_id".utf8): \.customerID
            case Array("target_link_url".utf8): \.targetLinkURL
            case Array("target_link_name".utf8): \.targetLinkName
            case Array("machine".utf8): \.machine
            default: nil
            }
        }
    }

    static let maxDepth = 64
    /// Digits in one number, and the largest exponent: well inside what `jsonb`'s numeric holds.
    static let maxNumberDigits = 1000
    static let maxExponent = 1000

    let bytes: [UInt8]
    var index = 0
    /// Offsets of the backslashes of `\u0000` escapes, which `jsonb` refuses.
    var nulEscapes: [Int] = []

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func scanEvent() throws(EventParseError) -> Fields {
        var fields = Fields()
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { throw EventParseError("not a JSON object") }
        skipWhitespace()
        if !take(UInt8(ascii: "}")) {
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw failure("a member name") }
                let name = try string()
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { throw failure("':'") }
                skipWhitespace()
                if let slot = Fields.slot(name) {
                    if peek == UInt8(ascii: "\"") {
                        fields[keyPath: slot] = String(decoding: try string(), as: UTF8.self)
                    } else if takeLiteral("null") {
                        fields[keyPath: slot] = nil
                    } else {
                        throw EventParseError("\(String(decoding: name, as: UTF8.self)) is neither a string nor null")
                    }
                } else {
                    try skipValue(depth: 1)
                }
                skipWhitespace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { throw failure("',' or '}'") }
                break
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw failure("the end after the object") }
        return fields
    }

    // MARK: Values

    private mutating func skipValue(depth: Int) throws(EventParseError) {
        guard depth <= Self.maxDepth else { throw EventParseError("nested deeper than \(Self.maxDepth)") }
        switch peek {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"):
            index += 1
            skipWhitespace()
            if take(UInt8(ascii: "}")) { return }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw failure("a member name") }
                try skipString()
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { throw failure("':'") }
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { throw failure("',' or '}'") }
                return
            }
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if take(UInt8(ascii: "]")) { return }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "]")) else { throw failure("',' or ']'") }
                return
            }
        case UInt8(ascii: "t"):
            guard takeLiteral("true") else { throw failure("a value") }
        case UInt8(ascii: "f"):
            guard takeLiteral("false") else { throw failure("a value") }
        case UInt8(ascii: "n"):
            guard takeLiteral("null") else { throw failure("a value") }
        default:
            try skipNumber()
        }
    }

    private mutating func skipNumber() throws(EventParseError) {
        _ = take(UInt8(ascii: "-"))
        var digits = 0
        if take(UInt8(ascii: "0")) {
            digits = 1
        } else {
            digits = skipDigits()
            guard digits > 0 else { throw failure("a value") }
        }
        if take(UInt8(ascii: ".")) {
            let fraction = skipDigits()
            guard fraction > 0 else { throw failure("digits after '.'") }
            digits += fraction
        }
        guard digits <= Self.maxNumberDigits else { throw EventParseError("a number longer than \(Self.maxNumberDigits) digits") }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            var exponent = 0
            var exponentDigits = 0
            while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                exponent = min(exponent * 10 + Int(byte - UInt8(ascii: "0")), Self.maxExponent + 1)
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { throw failure("exponent digits") }
            guard exponent <= Self.maxExponent else { throw EventParseError("a number with an exponent past \(Self.maxExponent)") }
        }
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    // MARK: Strings

    /// Decodes the string at `index` (which is at its opening quote) to UTF-8.
    private mutating func string() throws(EventParseError) -> [UInt8] {
        var out: [UInt8] = []
        try readString(into: &out, keep: true)
        return out
    }

    private mutating func skipString() throws(EventParseError) {
        var unused: [UInt8] = []
        try readString(into: &unused, keep: false)
    }

    /// Reads a string from its opening quote to past its closing one. The line was already
    /// checked as UTF-8, so bytes from 0x80 up are copied as they are.
    private mutating func readString(into out: inout [UInt8], keep: Bool) throws(EventParseError) {
        index += 1  // the opening quote
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                try readEscape(into: &out, keep: keep)
            case 0..<0x20:
                throw EventParseError("a control character inside a string")
            default:
                if keep { out.append(byte) }
                index += 1
            }
        }
        throw EventParseError("a string without its closing quote")
    }

    private mutating func readEscape(into out: inout [UInt8], keep: Bool) throws(EventParseError) {
        let start = index
        guard index + 1 < bytes.count else { throw failure("an escape") }
        let kind = bytes[index + 1]
        index += 2
        let simple: UInt8?
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): simple = kind
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default: throw EventParseError("an unknown escape inside a string")
        }
        if let simple {
            if keep { out.append(simple) }
            return
        }
        var scalar = try hex4()
        if scalar == 0 {
            nulEscapes.append(start)
            scalar = 0xFFFD
        } else if (0xD800...0xDBFF).contains(scalar) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw EventParseError("a high surrogate escape without its low half")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw EventParseError("a high surrogate escape without its low half") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw EventParseError("a lone low surrogate escape")
        }
        if keep, let value = Unicode.Scalar(scalar) {
            out.append(contentsOf: Array(String(Character(value)).utf8))
        }
    }

    private mutating func hex4() throws(EventParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    // MARK: Bytes

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    private mutating func takeLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { word in
            (0..<count).allSatisfy { bytes[index + $0] == word[$0] }
        }
        if matches { index += count }
        return matches
    }

    private mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private func failure(_ expected: String) -> EventParseError {
        EventParseError(index < bytes.count ? "expected \(expected) at byte \(index)" : "expected \(expected), found the end")
    }
}

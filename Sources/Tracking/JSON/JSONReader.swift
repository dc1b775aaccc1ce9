// Written by hand on purpose: every message with an X-MSYS-API header is parsed here, and
// Foundation's `JSONDecoder` took about 430,000 instructions for a 200-byte header (callgrind,
// through Postfix), half of the milter's own cost per message: it builds a JSON map, then
// tells booleans, numbers, strings, arrays and objects apart by throwing `typeMismatch`
// errors. No mirrored package parses JSON into a plain value tree. This reader follows
// RFC 8259 on the UTF-8 bytes, with a bounded depth, and with the two leniencies of the
// decoder it replaced (a trailing comma in an array; a repeated member name keeps its first
// value); the tests check it against `JSONDecoder` on generated inputs.

/// Parses RFC 8259 JSON text into a `JSONValue`.
struct JSONReader {
    /// Deeper nesting is refused: real X-MSYS-API headers and policy values nest two or three
    /// levels, and the bound keeps recursion (and an attacker's input) off the thread's stack.
    static let maxDepth = 100

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The one value in `text`, with nothing but white space around it.
    static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(JSONParseError) in var reader = JSONReader(bytes); return try reader.document() } }.get()
    }

    private mutating func document() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw JSONParseError(reason: "empty value") }
        let value = try value(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw unexpected("after the value") }
        return value
    }

    private mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maxDepth else { throw JSONParseError(reason: "nested deeper than \(Self.maxDepth) levels") }
        guard let byte = peek() else { throw endOfInput() }
        switch byte {
        case UInt8(ascii: "{"): return .object(try object(depth: depth))
        case UInt8(ascii: "["): return .array(try array(depth: depth))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw unexpected("where a value should start")
        }
    }

    private mutating func object(depth: Int) throws(JSONParseError) -> JSONObject {
        position += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return object
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw peek() == nil ? endOfInput() : unexpected("where a member name should start") }
            let name = try string()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw peek() == nil ? endOfInput() : unexpected("where ':' should follow a member name") }
            position += 1
            skipWhitespace()
            let member = try value(depth: depth + 1)
            // A repeated name keeps its first value, as Foundation's decoder (used before) did.
            if object[name] == nil { object[name] = member }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return object
            case nil: throw endOfInput()
            default: throw unexpected("where ',' or '}' should be")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONParseError) -> [JSONValue] {
        position += 1  // [
        var array: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return array
        }
        while true {
            skipWhitespace()
            // `[1,]` is read as `[1]`, as Foundation's decoder (used before) read it: a header
            // that was accepted before must not be refused after an upgrade.
            if peek() == UInt8(ascii: "]"), !array.isEmpty {
                position += 1
                return array
            }
            array.append(try value(depth: depth + 1))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return array
            case nil: throw endOfInput()
            default: throw unexpected("where ',' or ']' should be")
            }
        }
    }

    private mutating func string() throws(JSONParseError) -> String {
        position += 1  // opening quote
        let start = position
        // The common case, no escapes: one copy of the bytes between the quotes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw unexpected("inside a string (control characters must be escaped)") }
            position += 1
        }
        var out = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0..<0x20:
                throw unexpected("inside a string (control characters must be escaped)")
            default:
                out.append(byte)
                position += 1
            }
        }
        throw endOfInput()
    }

    private mutating func escape(into out: inout [UInt8]) throws(JSONParseError) {
        position += 1  // backslash
        guard let byte = peek() else { throw endOfInput() }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800...0xDBFF).contains(code) {
                // A high surrogate must be followed by an escaped low one.
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw JSONParseError(reason: "a \\u escape at byte \(position) is half of a surrogate pair")
                }
                position += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParseError(reason: "a \\u escape at byte \(position) is half of a surrogate pair")
                }
                code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
                throw JSONParseError(reason: "a \\u escape at byte \(position) is half of a surrogate pair")
            }
            guard let scalar = Unicode.Scalar(code) else { throw JSONParseError(reason: "invalid \\u escape at byte \(position)") }
            out.append(contentsOf: String(Character(scalar)).utf8)
        default:
            position -= 1
            throw unexpected("after a backslash in a string")
        }
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw endOfInput() }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw unexpected("in a \\u escape (four hex digits expected)")
            }
            code = code << 4 | digit
            position += 1
        }
        return code
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, read as the nearest `Double`.
    private mutating func number() throws(JSONParseError) -> Double {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw peek() == nil ? endOfInput() : unexpected("in a number") }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let digit = peek(), isDigit(digit) else { throw peek() == nil ? endOfInput() : unexpected("after a decimal point") }
            skipDigits()
        }
        if let e = peek(), e | 0x20 == UInt8(ascii: "e") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek(), isDigit(digit) else { throw peek() == nil ? endOfInput() : unexpected("in an exponent") }
            skipDigits()
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONParseError(reason: "the number at byte \(start) is too large for a double")
        }
        return value
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        let matches = word.withUTF8Buffer { expected in
            position + count <= bytes.count && (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw position + count > bytes.count ? endOfInput() : unexpected("where a value should start") }
        position += count
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private func endOfInput() -> JSONParseError { JSONParseError(reason: "unexpected end of the text") }

    private func unexpected(_ context: String) -> JSONParseError {
        let byte = position < bytes.count ? bytes[position] : 0
        let shown = byte >= 0x21 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return JSONParseError(reason: "unexpected \(shown) at byte \(position) \(context)")
    }
}

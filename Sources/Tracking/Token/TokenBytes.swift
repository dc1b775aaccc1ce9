/// Appends the body's building blocks: fixed-width integers and length-prefixed strings.
struct TokenByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func appendBigEndian(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    /// LEB128: 7 bits a byte, low bits first; a set high bit means more follow.
    mutating func appendVarint(_ value: Int) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func appendString<S: Collection<UInt8>>(_ utf8: S) {
        appendVarint(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    /// The string in `TokenDictionary`'s coding, behind the coded length.
    /// The string in `TokenDictionary`'s coding, behind the coded length.
    mutating func appendCoded<S: Collection<UInt8>>(_ utf8: S) {
        TokenDictionary.withCoded(utf8) { coded in
            appendVarint(coded.count)
            bytes.append(contentsOf: coded)
        }
    }
}

/// Reads what `TokenByteWriter` wrote; every read returns nil on truncated or
/// non-canonical input, so one byte string has exactly one meaning.
struct TokenByteReader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var isAtEnd: Bool { position == bytes.endIndex }

    mutating func readByte() -> UInt8? {
        guard position < bytes.endIndex else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readBigEndianUInt32() -> UInt32? {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = readByte() else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// A varint of at most `limit`, in its shortest form.
    mutating func readVarint(limit: Int) -> Int? {
        var value = 0
        var shift = 0
        while true {
            guard let byte = readByte() else { return nil }
            value |= Int(byte & 0x7F) << shift
            guard value <= limit else { return nil }
            if byte & 0x80 == 0 {
                // A zero last byte after others would be a longer spelling of a smaller number.
                return byte == 0 && shift > 0 ? nil : value
            }
            shift += 7
            // Zero continuation bytes keep the value small; stop them before the shift overflows.
            guard shift < Int.bitWidth - 7 else { return nil }
        }
    }

    /// A length-prefixed string that must be valid UTF-8.
    mutating func readString() -> String? {
        guard let utf8 = readField(limit: SealedTokenFormat.maxFieldBytes) else { return nil }
        return String(validating: utf8, as: UTF8.self)
    }

    /// A length-prefixed string in `TokenDictionary`'s coding that must decode to valid UTF-8.
    mutating func readCoded() -> String? {
        guard let coded = readField(limit: SealedTokenFormat.maxCodedFieldBytes),
              let utf8 = TokenDictionary.decode(coded, limit: SealedTokenFormat.maxFieldBytes)
        else { return nil }
        return String(validating: utf8, as: UTF8.self)
    }

    private mutating func readField(limit: Int) -> ArraySlice<UInt8>? {
        guard let count = readVarint(limit: limit), count <= bytes.endIndex - position else { return nil }
        defer { position += count }
        return bytes[position..<position + count]
    }
}

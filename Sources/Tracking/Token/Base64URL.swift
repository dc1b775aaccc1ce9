/// URL-safe base64 without padding (RFC 4648 §5), strict on input: only the 64 URL-safe
/// characters, no padding, and zero spare bits at the end, so that each byte string has
/// exactly one spelling and an altered character can never decode to the same bytes.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        return table
    }()

    /// Whether `byte` is one of the 64 URL-safe characters.
    static func isAlphabet(_ byte: UInt8) -> Bool { values[Int(byte)] != 0xFF }

    /// Encodes the bytes. Runs for every tracked link: one pass over contiguous bytes, written
    /// straight into the string's storage.
    static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(contiguous: $0) }) { return text }
        return Array(bytes).withUnsafeBufferPointer { encode(contiguous: $0) }
    }

    private static func encode(contiguous input: UnsafeBufferPointer<UInt8>) -> String {
        let length = (input.count * 4 + 2) / 3
        return String(unsafeUninitializedCapacity: length) { out in
            alphabet.withUnsafeBufferPointer { table in
                var i = 0
                var o = 0
                while i + 3 <= input.count {
                    let group = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                    out[o] = table[Int(group >> 18 & 0x3F)]
                    out[o + 1] = table[Int(group >> 12 & 0x3F)]
                    out[o + 2] = table[Int(group >> 6 & 0x3F)]
                    out[o + 3] = table[Int(group & 0x3F)]
                    i += 3
                    o += 4
                }
                let left = input.count - i
                if left > 0 {
                    let group = UInt32(input[i]) << 16 | (left == 2 ? UInt32(input[i + 1]) << 8 : 0)
                    out[o] = table[Int(group >> 18 & 0x3F)]
                    out[o + 1] = table[Int(group >> 12 & 0x3F)]
                    o += 2
                    if left == 2 {
                        out[o] = table[Int(group >> 6 & 0x3F)]
                        o += 1
                    }
                }
                return o
            }
        }
    }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        // The tracker decodes a token per request: work on the contiguous UTF-8 when there is one.
        if let decoded = text.utf8.withContiguousStorageIfAvailable({ decode(bytes: $0) }) { return decoded }
        return Array(text.utf8).withUnsafeBufferPointer { decode(bytes: $0) }
    }

    private static func decode(bytes characters: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        // One character alone carries 6 bits, less than a byte: never a valid length.
        guard characters.count % 4 != 1 else { return nil }
        var valid = true
        // Every 4 characters make 3 bytes; 2 or 3 left over make 1 or 2.
        let out = [UInt8](unsafeUninitializedCapacity: characters.count * 3 / 4) { buffer, count in
            values.withUnsafeBufferPointer { table in
                var group: UInt32 = 0
                var bits = 0
                for character in characters {
                    let value = table[Int(character)]
                    guard value != 0xFF else {
                        valid = false
                        return
                    }
                    group = group << 6 | UInt32(value)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        buffer[count] = UInt8(truncatingIfNeeded: group >> UInt32(bits))
                        count += 1
                        group &= (1 << UInt32(bits)) - 1
                    }
                }
                // Left-over bits are padding and must be zero (canonical form).
                valid = group == 0
            }
        }
        return valid ? out : nil
    }
}

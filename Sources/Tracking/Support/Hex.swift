/// Hex digits and percent-encoding on bytes: the one home for what URLs, quoted-printable,
/// RFC 2047/2231 and message ids all need.
public enum Hex {
    public static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
    public static let lowerDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The value of an ASCII hex digit (either case), or nil.
    @inline(__always)
    public static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// Appends `bytes` as lower-case hex, two digits a byte.
    public static func appendLower(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        for byte in bytes {
            out.append(lowerDigits[Int(byte >> 4)])
            out.append(lowerDigits[Int(byte & 0x0F)])
        }
    }

    /// `bytes` as lower-case hex text.
    public static func lower(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        appendLower(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `%XY` (upper-case, as RFC 3986 recommends) for one byte.
    @inline(__always)
    public static func appendPercentEncoded(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "%"))
        out.append(upperDigits[Int(byte >> 4)])
        out.append(upperDigits[Int(byte & 0x0F)])
    }

    /// `text` with every byte for which `encode` is true percent-encoded.
    public static func percentEncoded(_ text: String, where encode: (UInt8) -> Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if encode(byte) { appendPercentEncoded(byte, to: &out) } else { out.append(byte) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The character sets an RFC 2047 encoded-word may use here.
enum EncodedWordCharset: Sendable, Equatable {
    case utf8
    case usASCII
    /// Windows-1252; also used for ISO-8859-1, as WHATWG and mail clients do, because
    /// senders label Windows-1252 text (curly quotes, euro sign) as ISO-8859-1.
    case windows1252

    /// Looks up a charset name case-insensitively; an RFC 2231 language suffix (`*en`) is ignored.
    init?(name: String) {
        let bare = name.split(separator: "*", maxSplits: 1, omittingEmptySubsequences: false)[0]
        switch bare.lowercased() {
        case "utf-8", "utf8":
            self = .utf8
        case "us-ascii", "ascii", "us", "ansi_x3.4-1968":
            self = .usASCII
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
             "windows-1252", "cp1252", "x-cp1252":
            self = .windows1252
        default:
            return nil
        }
    }

    /// The text the bytes encode, or nil when they are not valid in this charset.
    func decode(_ bytes: [UInt8]) -> String? {
        switch self {
        case .utf8:
            return String(validating: bytes, as: UTF8.self)
        case .usASCII:
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        case .windows1252:
            return String(String.UnicodeScalarView(bytes.map(Self.windows1252Scalar)))
        }
    }

    /// Windows-1252 as WHATWG defines it: 0x80–0x9F per the table, the five unassigned
    /// bytes there map to the C1 control of the same value, everything else to U+00XX.
    private static func windows1252Scalar(_ byte: UInt8) -> Unicode.Scalar {
        guard byte >= 0x80, byte <= 0x9F else { return Unicode.Scalar(byte) }
        let value = windows1252High[Int(byte - 0x80)]
        return Unicode.Scalar(value) ?? Unicode.Scalar(byte)
    }

    private static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}

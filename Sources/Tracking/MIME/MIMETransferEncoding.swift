/// The Content-Transfer-Encodings the walker decodes and writes back (RFC 2045 §6).
enum MIMETransferEncoding: String, Equatable {
    case sevenBit = "7bit"
    case eightBit = "8bit"
    case binary
    case quotedPrintable = "quoted-printable"
    case base64

    /// The encoding named by an entity's Content-Transfer-Encoding fields: 7bit when there is
    /// none; case and surrounding whitespace or comments do not matter. Anything else —
    /// unknown names (`x-uuencode`), misspellings (`8bits`, `quoted printable`, `7-bit`),
    /// trailing junk (`quoted-printable;`), an empty value, fields that disagree — is an
    /// error naming the value, and the part is left as it came.
    static func parse(_ values: [[UInt8]]) -> Result<MIMETransferEncoding, MIMELeftAlone> {
        guard let first = values.first else { return .success(.sevenBit) }
        guard let encoding = parseOne(first) else {
            let shown = MIMEBytes.trimmedText(first)
            return .failure(.unknownTransferEncoding(shown))
        }
        for other in values.dropFirst() where parseOne(other) != encoding {
            return .failure(.conflictingFields("Content-Transfer-Encoding"))
        }
        return .success(encoding)
    }

    private static func parseOne(_ value: [UInt8]) -> MIMETransferEncoding? {
        var scanner = MIMEFieldValueScanner(value)
        scanner.skipCFWS()
        let token = scanner.token(stoppingAt: [])
        scanner.skipCFWS()
        guard scanner.isAtEnd else { return nil }
        return MIMETransferEncoding(rawValue: MIMEBytes.lowercased(token))
    }

    /// Identity encodings are rewritten as they are, but their lines must stay within 998
    /// octets. Binary too: it would allow longer lines, but only over BINARYMIME, and MTAs
    /// (Postfix's smtp_line_length_limit) break long lines whatever the label says.
    var limitsLineLength: Bool { self == .sevenBit || self == .eightBit || self == .binary }
}

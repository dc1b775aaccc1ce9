/// The Content-Transfer-Encodings the walker decodes and writes back (RFC 2045 §6).
enum MIMETransferEncoding: String, Equatable {
    case sevenBit = "7bit"
    case eightBit = "8bit"
    case binary
    case quotedPrintable = "quoted-printable"
    case base64

    /// The encoding named by an entity's Content-Transfer-Encoding fields: 7bit when there is
    /// none. Read as Thunderbird's libmime reads it (`MimeHeaders_get` with `strip_p`, then a
    /// case-insensitive compare), which Python's `email` header object agrees with: the first
    /// token decides, before white space, a comment, `;` or `,`; case does not matter, and
    /// what follows the token is ignored (`7bit;`, `base64 `, `Quoted-Printable`,
    /// `quoted-printable; x`). `7bits`, `8bits`, `7-bit`, `8-bit` are read as 7bit/8bit:
    /// every reader shows such a part as it is. Anything else — unknown names (`x-uuencode`,
    /// `6bit`), a split name (`quoted printable`, `8 bit`), a quoted value, an empty value,
    /// fields that disagree — is an error naming the value, and the part is left as it came.
    /// The header itself is never rewritten for this.
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

    /// Misspellings every reader treats as the identity encoding they name.
    private static let identityMisspellings: [String: MIMETransferEncoding] = [
        "7bits": .sevenBit, "7-bit": .sevenBit, "8bits": .eightBit, "8-bit": .eightBit,
    ]

    private static func parseOne(_ value: [UInt8]) -> MIMETransferEncoding? {
        var scanner = MIMEFieldValueScanner(value)
        scanner.skipCFWS()
        let token = scanner.token(stoppingAt: [UInt8(ascii: ";"), UInt8(ascii: ",")])
        guard !token.isEmpty else { return nil }
        let name = MIMEBytes.lowercased(token)
        return MIMETransferEncoding(rawValue: name) ?? identityMisspellings[name]
    }

    /// Identity encodings are rewritten as they are, but their lines must stay within 998
    /// octets. Binary too: it would allow longer lines, but only over BINARYMIME, and MTAs
    /// (Postfix's smtp_line_length_limit) break long lines whatever the label says.
    var limitsLineLength: Bool { self == .sevenBit || self == .eightBit || self == .binary }
}

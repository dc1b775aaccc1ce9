/// Makes text safe for an SMTP reply line: printable ASCII only (RFC 5321 §4.2), so names
/// and reasons taken from a message cannot break the reply. Escaping for a particular
/// transport (libmilter's `%`) is that transport's business.
enum PrintableASCII {
    /// Replaces every other character with `?` and cuts the result to `maxLength` characters.
    static func sanitize(_ text: String, maxLength: Int) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(maxLength) {
            let printable = scalar.value >= 0x20 && scalar.value <= 0x7E
            result.append(printable ? scalar : "?")
        }
        return String(result)
    }
}

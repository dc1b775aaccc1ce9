/// Makes text safe for an SMTP reply: one line of printable ASCII with no `%`
/// (libmilter's `smfi_setreply` treats `%` as a format character).
enum PrintableASCII {
    /// Replaces every other character with `?` and cuts the result to `maxLength` characters.
    static func sanitize(_ text: String, maxLength: Int) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(maxLength) {
            let printable = scalar.value >= 0x20 && scalar.value <= 0x7E && scalar != "%"
            result.append(printable ? scalar : "?")
        }
        return String(result)
    }
}

/// Which charsets can be rewritten as bytes: those where every byte below 0x80 is the ASCII
/// character, and never part of a multi-byte character, so finding `http://`, `<a href=`
/// and inserting ASCII cannot split or corrupt a character.
enum MIMECharset {
    private static let exact: Set<String> = [
        "us-ascii", "ascii", "us", "ansi_x3.4-1968", "iso646-us", "utf-8", "utf8",
        "latin1", "latin-1", "l1", "gb2312", "tis-620", "cp874", "windows-874",
    ]
    private static let prefixes = [
        "iso-8859-", "iso8859-", "iso_8859-", "windows-125", "cp125", "koi8-", "euc-", "x-euc-",
    ]

    /// True for the ASCII-compatible charsets (a missing charset means US-ASCII).
    /// UTF-16/32, ISO-2022-*, Shift_JIS, Big5, GBK/GB18030, UTF-7 and unknown names are not:
    /// their bytes below 0x80 can belong to other characters.
    static func isASCIICompatible(_ charset: String?) -> Bool {
        guard let charset else { return true }
        return exact.contains(charset) || prefixes.contains { charset.hasPrefix($0) }
    }
}

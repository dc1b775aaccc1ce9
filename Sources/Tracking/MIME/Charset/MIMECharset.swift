/// How the walker treats a displayed part's charset.
enum MIMECharset: Equatable {
    /// Every byte below 0x80 is the ASCII character, and never part of a multi-byte
    /// character, so finding `http://`, `<a href=` and inserting ASCII cannot split or
    /// corrupt a character: rewritten as bytes.
    case asciiCompatible
    /// ISO-2022-JP (all its forms), -KR, -CN: stateful 7-bit. Rewritten through
    /// `ISO2022Filter`: only what is ASCII in its state is read as markup or URL.
    case iso2022
    /// UTF-16/32, UTF-7, HZ, Shift_JIS, Big5, GBK/GB18030 and unknown names: their bytes
    /// below 0x80 can belong to other characters. Left alone.
    case unsupported

    private static let exact: Set<String> = [
        "us-ascii", "ascii", "us", "ansi_x3.4-1968", "iso646-us", "utf-8", "utf8",
        "latin1", "latin-1", "l1", "gb2312", "tis-620", "cp874", "windows-874",
    ]
    private static let prefixes = [
        "iso-8859-", "iso8859-", "iso_8859-", "windows-125", "cp125", "koi8-", "euc-", "x-euc-",
    ]
    /// `iso-2022-jp`, `iso-2022-jp-2`, `iso-2022-kr`, `iso-2022-cn-ext`, Python's
    /// `iso2022_jp`, and the IANA aliases `csISO2022JP`, `csISO2022JP2`, `csISO2022KR`.
    private static let iso2022Prefixes = ["iso-2022-", "iso2022", "iso_2022", "csiso2022"]

    /// The handling of a lower-cased charset parameter (a missing charset means US-ASCII).
    init(_ charset: String?) {
        guard let charset else {
            self = .asciiCompatible
            return
        }
        if Self.exact.contains(charset) || Self.prefixes.contains(where: { charset.hasPrefix($0) }) {
            self = .asciiCompatible
        } else if Self.iso2022Prefixes.contains(where: { charset.hasPrefix($0) }) {
            self = .iso2022
        } else {
            self = .unsupported
        }
    }
}

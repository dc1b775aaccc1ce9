/// The ESMTP parameters of a MAIL FROM or RCPT TO command, as libmilter hands them to the
/// envelope steps after the address (`argv[1...]`): `SIZE=1024`, `BODY=8BITMIME`, `SMTPUTF8`.
///
/// Keywords are case-insensitive (RFC 5321 §4.1.2); a keyword without `=` has an empty
/// value; the first of duplicate keywords wins. The values are the client's: check them.
public struct ESMTPParameters: Sendable, Equatable {
    private var values: [String: String] = [:]

    /// Parses the parameters (without the address, `argv[0]`).
    public init(_ arguments: some Sequence<String>) {
        for argument in arguments.prefix(Self.maxParameters) {
            let keyword: Substring
            let value: Substring
            if let equals = argument.firstIndex(of: "=") {
                keyword = argument[..<equals]
                value = argument[argument.index(after: equals)...]
            } else {
                keyword = argument[...]
                value = ""
            }
            let name = keyword.uppercased()
            if values[name] == nil { values[name] = String(value) }
        }
    }

    /// More would be an abuse: the MTA has already limited the line.
    static let maxParameters = 64

    /// The value of `keyword` (any case), or nil when it is absent.
    public subscript(keyword: String) -> String? { values[keyword.uppercased()] }

    /// RFC 1870's `SIZE=` estimate in octets: 1 to 20 ASCII digits, at most `Int.max`;
    /// nil when absent or not a number (leading zeros are allowed, signs and spaces are not).
    public var size: Int? {
        guard let text = self["SIZE"], !text.isEmpty, text.utf8.count <= 20,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)  // nil on overflow
    }
}

/// One top-level header field as the MTA handed it over: the name, and the value as bytes
/// (without the space after the colon, folds as LF + white space). The value stays bytes
/// end to end, so 8-bit header text survives exactly.
public struct HeaderField: Sendable, Equatable {
    public var name: String
    public var value: [UInt8]

    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }

    /// The value as text, for names, ids and JSON; invalid UTF-8 becomes U+FFFD.
    public var valueText: String { String(decoding: value, as: UTF8.self) }
}

/// JSON text that could not be parsed.
public struct JSONParseError: Error, Sendable, Equatable {
    /// Short, one-line, printable-ASCII explanation, e.g. `unexpected end of the text`.
    public let reason: String

    public init(reason: String) {
        self.reason = PrintableASCII.sanitize(reason, maxLength: 80)
    }
}

extension JSONValue {
    /// Parses JSON text holding any JSON value (object, array, or scalar), strictly as
    /// RFC 8259 says (see `JSONReader`).
    public init(parsing text: String) throws(JSONParseError) {
        self = try JSONReader.parse(text)
    }
}

import Foundation

/// JSON text that Foundation could not parse.
public struct JSONParseError: Error, Sendable, Equatable {
    /// Short, one-line, printable-ASCII explanation, e.g. `Unexpected end of file during JSON parse`.
    public let reason: String

    public init(reason: String) {
        self.reason = PrintableASCII.sanitize(reason, maxLength: 80)
    }
}

extension JSONValue {
    /// Parses JSON text holding any JSON value (object, array, or scalar).
    public init(parsing text: String) throws(JSONParseError) {
        let data = Data(text.utf8)
        do {
            self = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw JSONParseError(reason: Self.failureReason(for: data))
        }
    }

    /// Why `data` is not JSON. `JSONDecoder` only says "The given data was not valid JSON",
    /// so this runs only on the failure path and asks `JSONSerialization`, which names the
    /// problem and its position ("Invalid value around character 8").
    private static func failureReason(for data: Data) -> String {
        // RFC 8259 whitespace; JSON ignores it around the value, so only whitespace is "empty".
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            return "empty value"
        }
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let info = (error as NSError).userInfo
            if var description = info[NSDebugDescriptionErrorKey] as? String, !description.isEmpty {
                if description.hasSuffix(".") { description.removeLast() }
                return description
            }
        }
        return "syntax error"
    }
}

import Logging
import Tracking

/// A JSON value to embed as it is in a JSON log line (and as compact text in logfmt).
public struct RawJSON: CustomStringConvertible, Sendable {
    public let description: String
    public init(_ text: String) { description = text }
}

/// Turns one log record into one line of logfmt or JSON.
///
/// Fields come in a fixed order (SPEC §8) so lines are easy to read and diff; fields not
/// in the order follow, sorted.
struct LogLineEncoder: Sendable {
    let format: LogFormat

    static let order = [
        "queue_id", "message_id", "header_message_id", "customer", "campaign", "recipients", "open", "click",
        "tracking", "metadata", "tags", "parts", "links_tracked", "links_skipped", "pixels", "list_unsubscribe", "bytes_in", "bytes_out",
        "ms", "outcome", "reason",
    ]
    private static let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })

    /// The most bytes one field's value takes in a line: senders size tags, metadata and
    /// Message-IDs, and a log line must stay a line an operator (and syslog) can take.
    static let maxValueBytes = 4096

    func encode(time: String, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        let fields = metadata.sorted { a, b in
            let ra = Self.rank[a.key] ?? Int.max, rb = Self.rank[b.key] ?? Int.max
            return ra != rb ? ra < rb : a.key < b.key
        }
        switch format {
        case .logfmt:
            var line = "time=\(time) level=\(level.rawValue) msg=\(logfmt(message))"
            for (key, value) in fields { line += " \(key)=\(logfmt(Self.capped(text(value))))" }
            return line
        case .json:
            var line = "{\"time\":\(jsonString(time)),\"level\":\(jsonString(level.rawValue)),\"msg\":\(jsonString(message))"
            for (key, value) in fields {
                let encoded = json(value)
                // Cut JSON would not parse: an oversized value becomes a (cut) string.
                line += ",\(jsonString(key)):" + (encoded.utf8.count > Self.maxValueBytes ? jsonString(Self.capped(text(value))) : encoded)
            }
            return line + "}"
        }
    }

    /// `s` cut at a character boundary to `maxValueBytes`, saying how much was left out.
    static func capped(_ s: String) -> String {
        guard s.utf8.count > maxValueBytes else { return s }
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in s.unicodeScalars {
            let size = String(scalar).utf8.count
            if bytes + size > maxValueBytes { break }
            kept.append(scalar)
            bytes += size
        }
        return String(kept) + "…[\(s.utf8.count - bytes) more bytes]"
    }

    private func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return a.map(text).joined(separator: ",")
        case .dictionary: return json(value)
        }
    }

    private func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let s): return jsonString(s)
        case .stringConvertible(let c):
            switch c {
            case let raw as RawJSON: return raw.description
            case let b as Bool: return b ? "true" : "false"
            case is Int, is Int64, is UInt64, is Int32: return c.description
            case let d as Double: return d.isFinite ? c.description : "null"
            default: return jsonString(c.description)
            }
        case .array(let a): return "[" + a.map(json).joined(separator: ",") + "]"
        case .dictionary(let d):
            return "{" + d.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(json($0.value))" }.joined(separator: ",") + "}"
        }
    }

    /// Quotes a logfmt value when it has spaces, quotes, '=' or control characters, or is empty.
    private func logfmt(_ s: String) -> String {
        let needsQuotes = s.isEmpty || s.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C || $0 == 0x7F }
        guard needsQuotes else { return s }
        return "\"" + escaped(s) + "\""
    }

    private func jsonString(_ s: String) -> String { "\"" + escaped(s) + "\"" }

    /// Escapes for both JSON strings and quoted logfmt values: one line, no raw controls.
    private func escaped(_ s: String) -> String { JSONText.escaped(s) }
}

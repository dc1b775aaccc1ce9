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
        // Each key is looked up once, not at every comparison: this runs for every message.
        let fields = metadata.map { (rank: Self.rank[$0.key] ?? Int.max, key: $0.key, value: $0.value) }
            .sorted { $0.rank != $1.rank ? $0.rank < $1.rank : $0.key < $1.key }
            .map { (key: $0.key, value: $0.value) }
        switch format {
        case .logfmt:
            // Built on bytes: one line per message, so this is on every message's path.
            var line: [UInt8] = []
            line.reserveCapacity(512)
            line.append(contentsOf: "time=".utf8)
            line.append(contentsOf: time.utf8)
            line.append(contentsOf: " level=".utf8)
            line.append(contentsOf: level.rawValue.utf8)
            line.append(contentsOf: " msg=".utf8)
            appendLogfmt(message, to: &line)
            for (key, value) in fields {
                line.append(0x20)
                line.append(contentsOf: key.utf8)
                line.append(UInt8(ascii: "="))
                appendLogfmt(Self.capped(text(value)), to: &line)
            }
            return String(decoding: line, as: UTF8.self)
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

    /// A logfmt value, quoted when it has spaces, quotes, '=' or control characters, or is empty.
    private func appendLogfmt(_ s: String, to line: inout [UInt8]) {
        let needsQuotes = s.isEmpty || s.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C || $0 == 0x7F }
        if needsQuotes { JSONText.appendString(s, to: &line) } else { line.append(contentsOf: s.utf8) }
    }

    private func jsonString(_ s: String) -> String { "\"" + escaped(s) + "\"" }

    /// Escapes for both JSON strings and quoted logfmt values: one line, no raw controls.
    private func escaped(_ s: String) -> String { JSONText.escaped(s) }
}

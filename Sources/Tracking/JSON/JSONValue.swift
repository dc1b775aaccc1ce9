import Foundation

/// A JSON object: member names to values.
public typealias JSONObject = [String: JSONValue]

/// Any JSON value, as carried by the X-MSYS-API header and the policy's JSON variables.
///
/// `init(parsing:)` reads the text (`JSONReader`); `jsonText` writes it. JSON
/// numbers are `Double`, so integers are exact up to 2^53, and `jsonText` prints those
/// without a fraction.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Largest magnitude up to which every integer is exact in a `Double`.
    static let maxExactInteger: Double = 9_007_199_254_740_992  // 2^53

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
            return
        }
        // Bool is tried before Double so that a decoder which bridges numbers and booleans
        // cannot turn `true` into 1. Only a type mismatch moves on to the next type; any
        // other error (bad escape, number out of range) is the real problem and propagates.
        do {
            self = .bool(try container.decode(Bool.self))
            return
        } catch DecodingError.typeMismatch {}
        do {
            self = .number(try container.decode(Double.self))
            return
        } catch DecodingError.typeMismatch {}
        do {
            self = .string(try container.decode(String.self))
            return
        } catch DecodingError.typeMismatch {}
        do {
            self = .array(try container.decode([JSONValue].self))
            return
        } catch DecodingError.typeMismatch {}
        self = .object(try container.decode(JSONObject.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null:
            try container.encodeNil()
        case .bool(let value):
            try container.encode(value)
        case .number(let value):
            if !value.isFinite {
                // JSON has no NaN or infinity; such a value cannot come from parsed JSON.
                try container.encodeNil()
            } else if value.rounded(.towardZero) == value, abs(value) <= Self.maxExactInteger {
                // Encode integral values as integers so they print as `1`, not `1.0`,
                // whatever the platform's Double formatting does.
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value):
            try container.encode(value)
        case .array(let value):
            try container.encode(value)
        case .object(let value):
            try container.encode(value)
        }
    }

    /// Compact JSON text with sorted keys and unescaped slashes, e.g. `{"a":1,"b":[true,"x/y"]}`.
    /// Written by hand on bytes: it runs for every tracked message with metadata.
    public var jsonText: String {
        var out: [UInt8] = []
        append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact JSON text.
    public func append(to out: inout [UInt8]) {
        switch self {
        case .null:
            JSONText.appendLiteral("null", to: &out)
        case .bool(let value):
            if value { JSONText.appendLiteral("true", to: &out) } else { JSONText.appendLiteral("false", to: &out) }
        case .number(let value):
            if !value.isFinite {
                JSONText.appendLiteral("null", to: &out)
            } else if value.rounded(.towardZero) == value, abs(value) <= Self.maxExactInteger {
                // Integral values print as `1`, not `1.0`.
                out.append(contentsOf: String(Int64(value)).utf8)
            } else {
                out.append(contentsOf: value.description.utf8)
            }
        case .string(let value):
            JSONText.appendString(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (i, value) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                value.append(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, key) in object.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                object[key, default: .null].append(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

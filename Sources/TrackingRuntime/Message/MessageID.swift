import Tracking

/// The id given to each message for its tracked URLs and events: 10 random bytes as
/// 20 hex digits, like SparkPost's message ids.
public struct MessageID: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public var description: String { Hex.lower(bytes) }
}

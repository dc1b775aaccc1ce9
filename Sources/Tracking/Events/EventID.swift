/// An event's unique id, which sinks de-duplicate on: 128 random bits written as 32
/// lower-case hex digits (docs/events.md). Drawn from the source the service hands in.
public struct EventID: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(random: inout some RandomNumberGenerator) {
        bytes = randomBytes(16, using: &random)
    }

    public var description: String { Hex.lower(bytes) }
}

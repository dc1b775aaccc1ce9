/// The id given to each message for its tracked URLs and events: 10 random bytes as
/// 20 hex digits, like SparkPost's message ids.
public struct MessageID: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public static func random() -> MessageID {
        var generator = SystemRandomNumberGenerator()
        return MessageID(bytes: (0..<10).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

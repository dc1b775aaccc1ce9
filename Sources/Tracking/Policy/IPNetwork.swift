/// An IPv4 or IPv6 address or network (`192.0.2.0/24`, `2001:db8::/32`, `198.51.100.7`),
/// for matching the SMTP client's address.
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    public let address: [UInt8]
    public let prefixLength: Int
    public let description: String

    public init?(_ text: String) {
        let slash = text.utf8.firstIndex(of: UInt8(ascii: "/"))
        guard let address = IPAddress.parse(text.utf8[..<(slash ?? text.utf8.endIndex)]) else { return nil }
        let bits = address.count * 8
        var prefix = bits
        if let slash {
            let digits = text.utf8[text.utf8.index(after: slash)...]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let p = Int(String(decoding: digits, as: UTF8.self)), (0...bits).contains(p)
            else { return nil }
            prefix = p
        }
        self.address = address
        self.prefixLength = prefix
        self.description = text
    }

    /// Whether `host` (a numeric address as the MTA reports it) lies in this network.
    public func contains(_ host: String) -> Bool {
        var text = host
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.lowercased().hasPrefix("ipv6:") { text = String(text.dropFirst(5)) }
        guard var other = IPNetwork.parseAddress(text) else { return false }
        // An IPv4-mapped IPv6 client (::ffff:192.0.2.1) matches IPv4 networks.
        if address.count == 4 && other.count == 16 && other[0..<10].allSatisfy({ $0 == 0 }) && other[10] == 0xFF && other[11] == 0xFF {
            other = Array(other[12...])
        }
        guard other.count == address.count else { return false }
        var remaining = prefixLength
        for i in 0..<address.count where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if address[i] & mask != other[i] & mask { return false }
            remaining -= 8
        }
        return true
    }

    static func parseAddress(_ text: String) -> [UInt8]? {
        IPAddress.parse(text.utf8)
    }
}

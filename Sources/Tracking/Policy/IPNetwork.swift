/// An IPv4 or IPv6 address or network (`192.0.2.0/24`, `2001:db8::/32`, `198.51.100.7`),
/// for matching the SMTP client's address. Parsed here rather than with inet_pton so the
/// module stays free of system calls.
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    public let address: [UInt8]
    public let prefixLength: Int
    public let description: String

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPNetwork.parseAddress(String(parts[0])) else { return nil }
        let bits = address.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let p = Int(parts[1]), (0...bits).contains(p) else { return nil }
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
        text.contains(":") ? parseIPv6(text) : parseIPv4(text)
    }

    private static func parseIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let v = UInt8(p) else { return nil }
            bytes.append(v)
        }
        return bytes
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String) -> [UInt8]? {
            if s.isEmpty { return [] }
            var out: [UInt8] = []
            let items = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, item) in items.enumerated() {
                if i == items.count - 1 && item.contains(".") {
                    guard let v4 = parseIPv4(String(item)) else { return nil }
                    out += v4
                } else {
                    guard !item.isEmpty, item.count <= 4, let v = UInt16(item, radix: 16) else { return nil }
                    out += [UInt8(v >> 8), UInt8(v & 0xFF)]
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

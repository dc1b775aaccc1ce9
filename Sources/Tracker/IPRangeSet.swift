import Tracking

/// A client address, parsed once per request: its text as events show it and its bytes.
/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is taken as the IPv4 address.
struct ClientIP: Sendable, Equatable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6).
    let bytes: [UInt8]
    let description: String

    init?(_ text: some StringProtocol) {
        var host = Substring(text)
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        if let percent = host.firstIndex(of: "%") { host = host[..<percent] }  // fe80::1%eth0
        guard !host.isEmpty, host.utf8.count <= 45, !host.contains("/"), let network = IPNetwork(String(host)) else { return nil }
        let address = network.address
        if address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF {
            let v4 = Array(address[12...])
            bytes = v4
            description = v4.map(String.init).joined(separator: ".")
        } else {
            bytes = address
            description = address.count == 4 ? address.map(String.init).joined(separator: ".") : String(host).lowercased()
        }
    }
}

/// A set of IPv4 and IPv6 networks as sorted, merged ranges: membership is a binary search,
/// so even a list of hundreds of thousands of ranges (Apple's egress list) costs microseconds.
struct IPRangeSet: Sendable {
    private var v4: [ClosedRange<UInt32>] = []
    private var v6: [ClosedRange<UInt128>] = []

    init(_ networks: [IPNetwork]) {
        var v4: [ClosedRange<UInt32>] = []
        var v6: [ClosedRange<UInt128>] = []
        for network in networks {
            if network.address.count == 4 {
                let start = network.address.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                let hostBits = 32 - network.prefixLength
                let mask: UInt32 = hostBits >= 32 ? .max : (UInt32(1) << UInt32(hostBits)) - 1
                v4.append((start & ~mask)...(start | mask))
            } else {
                let start = network.address.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
                let hostBits = 128 - network.prefixLength
                let mask: UInt128 = hostBits >= 128 ? .max : (UInt128(1) << UInt128(hostBits)) - 1
                v6.append((start & ~mask)...(start | mask))
            }
        }
        self.v4 = Self.merged(v4)
        self.v6 = Self.merged(v6)
    }

    var isEmpty: Bool { v4.isEmpty && v6.isEmpty }
    /// Ranges after merging overlaps and neighbours.
    var rangeCount: Int { v4.count + v6.count }

    func contains(_ ip: ClientIP) -> Bool {
        if ip.bytes.count == 4 {
            return Self.search(v4, ip.bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        return Self.search(v6, ip.bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
    }

    private static func merged<T: FixedWidthInteger>(_ ranges: [ClosedRange<T>]) -> [ClosedRange<T>] {
        var out: [ClosedRange<T>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, last.upperBound == .max || range.lowerBound <= last.upperBound + 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                out.append(range)
            }
        }
        return out
    }

    private static func search<T: Comparable>(_ ranges: [ClosedRange<T>], _ value: T) -> Bool {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound < value { low = mid + 1 } else { high = mid }
        }
        return low < ranges.count && ranges[low].contains(value)
    }
}

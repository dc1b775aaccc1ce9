/// Numeric IPv4 and IPv6 addresses parsed on UTF-8 bytes: the one parser for policy
/// networks and the tracker's client addresses. By hand rather than inet_pton so the core
/// stays free of system calls; every index is checked, since the text comes from the network.
public enum IPAddress {
    /// The address's 4 or 16 bytes, or nil when `text` is not a numeric address.
    public static func parse(_ text: some Collection<UInt8>) -> [UInt8]? {
        return text.contains(UInt8(ascii: ":")) ? parseIPv6(text) : parseIPv4(text)
    }

    /// Four decimal parts of 1 to 3 digits, each at most 255.
    public static func parseIPv4(_ text: some Collection<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(4)
        var value = 0, digits = 0
        for byte in text {
            if byte >= 0x30 && byte <= 0x39 {
                value = value * 10 + Int(byte - 0x30)
                digits += 1
                guard digits <= 3, value <= 255 else { return nil }
            } else if byte == UInt8(ascii: ".") {
                guard digits > 0, out.count < 3 else { return nil }
                out.append(UInt8(value))
                value = 0
                digits = 0
            } else {
                return nil
            }
        }
        guard digits > 0, out.count == 3 else { return nil }
        out.append(UInt8(value))
        return out
    }

    /// Groups of 1 to 4 hex digits, at most one `::`, optionally ending in dotted IPv4.
    public static func parseIPv6(_ input: some Collection<UInt8>) -> [UInt8]? {
        let text = Array(input)
        var head: [UInt8] = [], tail: [UInt8] = []
        var sawGap = false
        var i = 0
        if text.count >= 2 && text[0] == UInt8(ascii: ":") && text[1] == UInt8(ascii: ":") {
            sawGap = true
            i = 2
        } else if text.first == UInt8(ascii: ":") {
            return nil
        }
        while i < text.count {
            // One group: hex digits up to ':' or the end; or a final dotted IPv4.
            var j = i
            while j < text.count && text[j] != UInt8(ascii: ":") { j += 1 }
            let group = text[i..<j]
            guard !group.isEmpty else { return nil }
            var part: [UInt8]
            if group.contains(UInt8(ascii: ".")) {
                guard j == text.count, let v4 = parseIPv4(group) else { return nil }
                part = v4
            } else {
                guard group.count <= 4 else { return nil }
                var value = 0
                for byte in group {
                    guard let digit = Hex.value(byte).map(Int.init) else { return nil }
                    value = value << 4 | digit
                }
                part = [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            if sawGap { tail += part } else { head += part }
            guard head.count + tail.count <= 16 else { return nil }
            if j == text.count { break }
            // At ':' — a second ':' right after is the gap.
            if j + 1 < text.count && text[j + 1] == UInt8(ascii: ":") {
                guard !sawGap else { return nil }
                sawGap = true
                i = j + 2
                if i == text.count { break }
            } else {
                guard j + 1 < text.count else { return nil }  // trailing single ':'
                i = j + 1
            }
        }
        if sawGap {
            guard head.count + tail.count <= 14 else { return nil }
            return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
        }
        return head.count == 16 ? head : nil
    }

}

/// `host[:port]` as it appears in generated URLs.
public enum HostPort {
    /// A DNS name or IPv4 address of letters, digits, dots and hyphens, with an optional port.
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let host = parts.first, !host.isEmpty, !host.hasPrefix("."), !host.hasPrefix("-"),
              host.utf8.allSatisfy(isHostByte)
        else { return false }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port) else { return false }
        }
        return true
    }

    private static func isHostByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x2E || b == 0x2D
    }
}

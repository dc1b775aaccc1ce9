/// Checks on tracking-domain-related values shared by config sections and policy rules.
enum TrackingDomain {
    /// Ten years: longer expiries are almost surely a unit mistake.
    static let maxExpiry = 315_360_000
    /// Metadata travels in every URL; more than this makes links too long for mail clients.
    static let maxMetadataLength = 4000

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// `host[:port]`, as it will appear in URLs.
    static func validate(_ text: String) throws -> String {
        guard !text.contains("/") else {
            throw Invalid(description: "\"\(text)\" is not host[:port] (a host name such as track.example.com, no scheme or path)")
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let host = parts.first, !host.isEmpty,
              host.utf8.allSatisfy({ isHostByte($0) }), !host.hasPrefix("."), !host.hasPrefix("-")
        else {
            throw Invalid(description: "\"\(text)\" is not host[:port] (a host name such as track.example.com, no scheme or path)")
        }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port) else {
                throw Invalid(description: "\"\(text)\" has a bad port; expected 1 to 65535")
            }
        }
        return text
    }

    private static func isHostByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x2E || b == 0x2D
    }
}

import Tracking

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
        guard HostPort.isValid(text) else {
            throw Invalid(description: "\"\(text)\" is not host[:port] (a host name such as track.example.com, no scheme or path)")
        }
        return text
    }
}

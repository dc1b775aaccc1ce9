/// Bounds on the work done for one message; past any of them the message passes unchanged.
public struct RewriteLimits: Sendable, Equatable {
    /// Which limit a message exceeded; the raw value is the configuration-style name for logs.
    public enum Kind: String, Sendable, Equatable {
        case messageBytes = "max_message_bytes"
        case depth = "max_depth"
        case parts = "max_parts"
        case links = "max_links"
    }

    /// Header and body bytes (default 50 MiB).
    public var maxMessageBytes: Int
    /// Nesting of multiparts: a multipart message is depth 1 (default 20).
    public var maxDepth: Int
    /// Body parts of all multiparts together (default 500).
    public var maxParts: Int
    /// Links tracked plus links skipped, summed over the part rewriters (default 5000).
    public var maxLinks: Int

    public init(maxMessageBytes: Int = 50 * 1024 * 1024, maxDepth: Int = 20, maxParts: Int = 500, maxLinks: Int = 5000) {
        self.maxMessageBytes = maxMessageBytes
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxLinks = maxLinks
    }

    /// The value of one limit.
    public subscript(kind: Kind) -> Int {
        switch kind {
        case .messageBytes: maxMessageBytes
        case .depth: maxDepth
        case .parts: maxParts
        case .links: maxLinks
        }
    }
}

/// Bounds on the work done for one message; past any of them the message passes unchanged.
public struct RewriteLimits: Sendable, Equatable {
    /// Which limit a message exceeded; the raw value is the configuration-style name for logs.
    public enum Kind: String, Sendable, Equatable {
        case messageBytes = "max_message_bytes"
        case depth = "max_depth"
        case parts = "max_parts"
        case links = "max_links"
        case tokenBytes = "max_token_bytes"
        case growth = "max_growth"
    }

    /// Header and body bytes (default 50 MiB).
    public var maxMessageBytes: Int
    /// Nesting of multiparts: a multipart message is depth 1 (default 20).
    public var maxDepth: Int
    /// Body parts of all multiparts together (default 500).
    public var maxParts: Int
    /// Links tracked plus links skipped, summed over the part rewriters (default 5000).
    public var maxLinks: Int
    /// Tags and metadata that every click and open token carries, in UTF-8 bytes (default 4 KiB).
    public var maxTokenBytes: Int
    /// The rewritten body may be at most this many times the body received so far ...
    public var maxGrowth: Int
    /// ... plus this many bytes (default 256 KiB), so a small message may still gain its links.
    public var growthAllowance: Int

    public init(
        maxMessageBytes: Int = 50 * 1024 * 1024, maxDepth: Int = 20, maxParts: Int = 500, maxLinks: Int = 5000,
        maxTokenBytes: Int = 4096, maxGrowth: Int = 10, growthAllowance: Int = 256 * 1024
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxLinks = maxLinks
        self.maxTokenBytes = maxTokenBytes
        self.maxGrowth = maxGrowth
        self.growthAllowance = growthAllowance
    }

    /// The value of one limit.
    public subscript(kind: Kind) -> Int {
        switch kind {
        case .messageBytes: maxMessageBytes
        case .depth: maxDepth
        case .parts: maxParts
        case .links: maxLinks
        case .tokenBytes: maxTokenBytes
        case .growth: maxGrowth
        }
    }

    /// The log reason for a message passed because of `kind`: "max_links exceeded (5000)".
    public func reason(_ kind: Kind) -> String {
        "\(kind.rawValue) exceeded (\(self[kind]))"
    }

    /// The most body bytes the rewrite may have produced after `bodyBytesIn` bytes came in
    /// (saturating, so no setting can make it overflow).
    public func allowedOutputBytes(bodyBytesIn: Int) -> Int {
        let (scaled, overflow) = max(bodyBytesIn, 0).multipliedReportingOverflow(by: max(maxGrowth, 0))
        guard !overflow else { return .max }
        let (total, overflowAgain) = scaled.addingReportingOverflow(max(growthAllowance, 0))
        return overflowAgain ? .max : total
    }

    /// How many bytes the rewrite may have added after `bodyBytesIn` bytes came in.
    public func allowedGrowthBytes(bodyBytesIn: Int) -> Int {
        let allowed = allowedOutputBytes(bodyBytesIn: bodyBytesIn)
        return allowed == .max ? .max : max(allowed - max(bodyBytesIn, 0), 0)
    }
}

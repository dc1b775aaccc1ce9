/// What `MIMERewriter.finish()` found and made.
public struct MIMERewriteResult: Sendable {
    public enum Outcome: Sendable {
        /// Leave the body as it is. `reason` is nil when no part rewriter changed anything,
        /// else why the message was passed: "no displayed parts", or a limit, such as
        /// "max_parts exceeded (500)".
        case unchanged(reason: String?)
        /// Replace the body. `headerChanges` are top-level fields to set (replace every
        /// occurrence, or add when absent): Content-Transfer-Encoding, when a single-part
        /// message had to switch to quoted-printable.
        case rewritten(body: [UInt8], headerChanges: [(name: String, value: String)])
    }

    public var outcome: Outcome
    /// The part rewriters' counts, summed (kept when unchanged too: skipped links are logged).
    public var statistics: RewriteStatistics
    /// Displayed parts whose rewritten content went into the body.
    public var partsRewritten: Int
    /// For the log: parts left alone and why (charset, transfer encoding, bad data...), at most 20.
    public var notes: [String]
    /// The limit that made the message pass unchanged, if one did.
    public var exceededLimit: RewriteLimits.Kind?

    public init(
        outcome: Outcome, statistics: RewriteStatistics = RewriteStatistics(), partsRewritten: Int = 0,
        notes: [String] = [], exceededLimit: RewriteLimits.Kind? = nil
    ) {
        self.outcome = outcome
        self.statistics = statistics
        self.partsRewritten = partsRewritten
        self.notes = notes
        self.exceededLimit = exceededLimit
    }

    /// The new body, or nil when the message is unchanged.
    public var body: [UInt8]? {
        if case .rewritten(let body, _) = outcome { return body }
        return nil
    }
}

/// What `MIMERewriter.finish()` found and made.
public struct MIMERewriteResult {
    public enum Outcome {
        /// Leave the body as it is. `reason` is nil when no part rewriter changed anything,
        /// else why the message was passed: "no displayed parts", or a limit, such as
        /// "max_parts exceeded (500)".
        case unchanged(reason: String?)
        /// Replace the body. `headerChanges` are top-level fields to set (replace every
        /// occurrence, or add when absent): Content-Transfer-Encoding, when a single-part
        /// message had to switch to quoted-printable. `body` is the walker's output sink:
        /// read it with `forEachChunk`, in pieces.
        case rewritten(body: any BodySink, headerChanges: [(name: String, value: String)])
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
    /// Why the output sink refused the new body (a spill file failed), if it did; the
    /// message then passes unchanged, and the caller answers as for any internal failure.
    public var outputFailure: String?

    public init(
        outcome: Outcome, statistics: RewriteStatistics = RewriteStatistics(), partsRewritten: Int = 0,
        notes: [String] = [], exceededLimit: RewriteLimits.Kind? = nil, outputFailure: String? = nil
    ) {
        self.outcome = outcome
        self.statistics = statistics
        self.partsRewritten = partsRewritten
        self.notes = notes
        self.exceededLimit = exceededLimit
        self.outputFailure = outputFailure
    }

    /// The new body's sink, or nil when the message is unchanged.
    public var bodySink: (any BodySink)? {
        if case .rewritten(let body, _) = outcome { return body }
        return nil
    }

    /// The new body as one array (a copy), or nil when the message is unchanged: for tests,
    /// fuzzers and small messages. Nil too when a spilled body cannot be read back; the
    /// milter streams `bodySink` instead.
    public var body: [UInt8]? { try? bodySink?.joined() }
}

// The MIME walker is hand-written on purpose. The milter must hand back every byte it does
// not rewrite exactly as it came (headers, boundaries, preamble, epilogue, attachments,
// malformed structure), stream bodies of tens of megabytes in 64 KB pieces without holding
// a parsed tree, and survive broken real-world mail by leaving alone what it cannot parse.
// No well-kept Swift MIME library does all three: they parse into a tree and serialize it
// again, which normalizes what they do not understand. This one only ever copies byte
// ranges, and decodes, rewrites and re-encodes just the displayed text parts.

/// Finds the displayed text parts of a message body and streams them through part rewriters.
///
/// Displayed parts are `text/html` and `text/plain` leaves at any multipart depth that are
/// not attachments (`Content-Disposition: attachment`) and not inside `message/*`. Each is
/// decoded (7bit, 8bit, binary, quoted-printable, base64), given to the rewriter that
/// `makeRewriter` returns for it, and re-encoded in its own encoding; everything else is
/// copied byte for byte. Feed the body (what follows the header block's blank line) in
/// pieces of any size, split anywhere, then call `finish()`.
///
/// Memory: the output goes to a `BodySink` (segments, never one growing array; the milter's
/// sink moves all but the first megabytes to a file), plus the displayed part in progress
/// (as it came and as rewritten); the input is never kept. Attachment bytes are copied in
/// whole runs: a search for the next line starting with "-" skips base64 in one memchr per chunk.
///
/// Not thread-safe: one message, one caller.
public final class MIMERewriter {
    let limits: RewriteLimits
    let makeRewriter: (DisplayedPart) -> (any PartRewriter)?
    let leaveSignedParts: Bool

    /// The body being built. Emptied as soon as the message is known to pass unchanged.
    let output: any BodySink
    /// Why `output` refused bytes, when it did: the message then passes unchanged.
    var outputFailure: String?
    /// Bytes of the current chunk still to be copied to `output`: consecutive copied lines
    /// become one memcpy. Only valid during `feed`.
    var runStart: UnsafeRawPointer?
    var runCount = 0

    var atLineStart = true
    /// A line starting with "--" that may be a delimiter, gathered until its end.
    var carrying = false
    var carry: [UInt8] = []
    /// Longer "--" lines cannot be delimiters of any open multipart.
    var maxDelimiterLine = 0
    var levels: [MIMEMultipartLevel] = []
    var state: MIMEWalkState = .copy

    var bytesIn = 0
    /// Body bytes received, for `max_growth`.
    var bodyBytesIn = 0
    var passReason: String?
    var exceededLimit: RewriteLimits.Kind?
    var statistics = RewriteStatistics()
    var partsRewritten = 0
    var displayedParts = 0
    var htmlParts = 0
    var partCount = 0
    var notes: [String] = []
    var omittedNotes = 0
    var headerChanges: [(name: String, value: String)] = []
    var result: MIMERewriteResult?

    static let maxNotes = 20

    /// - Parameters:
    ///   - headers: the message's top-level header fields as received (folded or not, names in any case).
    ///   - limits: past any of these the message passes unchanged.
    ///   - leaveSignedParts: leave `multipart/signed` and `multipart/encrypted` alone, since
    ///     rewriting inside them breaks the signature (default true).
    ///   - output: where the new body goes (empty at first); the result hands it back when
    ///     the message is rewritten, and it is emptied when the message passes unchanged.
    ///   - makeRewriter: the rewriter for a displayed part, or nil to leave that part alone.
    public init(
        headers: [HeaderField], limits: RewriteLimits = RewriteLimits(),
        leaveSignedParts: Bool = true, output: any BodySink = SegmentedBody(),
        makeRewriter: @escaping (DisplayedPart) -> (any PartRewriter)?
    ) {
        self.output = output
        self.limits = limits
        self.makeRewriter = makeRewriter
        self.leaveSignedParts = leaveSignedParts
        bytesIn = headers.reduce(0) { $0 &+ $1.name.utf8.count &+ $1.value.count &+ 4 }
        if bytesIn > limits.maxMessageBytes {
            stop(.messageBytes)
            return
        }
        let kind = MIMEEntityKind.classify(MIMEHeaderFields(fields: headers), inDigest: false, leaveSigned: leaveSignedParts)
        begin(kind, header: [], path: "1", topLevel: true)
        if case .copy = state, levels.isEmpty {
            // A single part that is not rewritten: nothing more can happen.
            if case .displayed = kind {} else { passReason = "no displayed parts" }
            state = .passthrough
        }
    }

    /// Takes the next piece of the body.
    public func feed(_ chunk: UnsafeRawBufferPointer) {
        guard result == nil, !chunk.isEmpty else { return }
        if case .passthrough = state { return }
        bytesIn += chunk.count
        bodyBytesIn += chunk.count
        if bytesIn > limits.maxMessageBytes {
            stop(.messageBytes)
            return
        }
        scan(chunk)
        flushRun()
    }

    /// Ends the body and says what to do with it. Later calls return the same result.
    public func finish() -> MIMERewriteResult {
        if let result { return result }
        if carrying { finishCarry(complete: false) }
        endPart(atDelimiter: false)
        flushRun()
        var allNotes = notes
        if omittedNotes > 0 { allNotes.append("\(omittedNotes) more parts left alone") }
        let outcome: MIMERewriteResult.Outcome
        if case .passthrough = state {
            outcome = .unchanged(reason: passReason)
        } else if partsRewritten == 0 {
            outcome = .unchanged(reason: displayedParts == 0 ? "no displayed parts" : nil)
        } else {
            outcome = .rewritten(body: output, headerChanges: headerChanges)
        }
        if case .unchanged = outcome { output.removeAll() }
        let done = MIMERewriteResult(
            outcome: outcome, statistics: statistics, partsRewritten: partsRewritten, notes: allNotes,
            exceededLimit: exceededLimit, outputFailure: outputFailure)
        result = done
        return done
    }
}

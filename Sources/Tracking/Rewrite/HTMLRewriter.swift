/// Rewrites a decoded text/html part: `<a href>` and `<area href>` (and VML buttons inside
/// Outlook conditional comments) become click URLs, data-msys-* attributes are removed, and
/// open pixels are placed; every other byte is copied as it came. Streaming: pieces may be
/// split anywhere, and the output does not depend on where.
public final class HTMLRewriter: PartRewriter {
    private var braces = BraceMacroFilter()
    private var tokenizer: HTMLTokenizer

    /// A rewriter for one part; `urls` makes the click and open URLs.
    public init(options: LinkRewriteOptions, urls: any TrackedURLMaker) {
        tokenizer = HTMLTokenizer(tracker: LinkTracker(options: options, urls: urls))
    }

    public func feed(_ decoded: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        braces.process(decoded) { tokenizer.feed($0, into: &output) }
    }

    public func finish(into output: inout [UInt8]) {
        braces.finish { tokenizer.feed($0, into: &output) }
        tokenizer.finish(into: &output)
    }

    public var changed: Bool { tokenizer.tracker.changed || braces.replaced }

    public var statistics: RewriteStatistics { tokenizer.tracker.statistics }
}

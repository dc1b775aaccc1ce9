/// Rewrites a decoded text/plain part: `http://` and `https://` URLs become click URLs, and
/// `[[data-msys-...="..."]]` annotations after them are honoured and removed. Everything
/// else is copied as it came; text is not reflowed. Streaming like `HTMLRewriter`.
public final class TextRewriter: PartRewriter {
    private var braces = BraceMacroFilter()
    private var finder: TextURLFinder

    /// A rewriter for one part; `urls` makes the click URLs (text parts get no pixels).
    public init(options: LinkRewriteOptions, urls: any TrackedURLMaker) {
        finder = TextURLFinder(tracker: LinkTracker(options: options, urls: urls))
    }

    public func feed(_ decoded: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        braces.process(decoded) { finder.feed($0, into: &output) }
    }

    public func finish(into output: inout [UInt8]) {
        braces.finish { finder.feed($0, into: &output) }
        finder.finish(into: &output)
    }

    public var changed: Bool { finder.tracker.changed || braces.replaced }

    public var statistics: RewriteStatistics { finder.tracker.statistics }
}

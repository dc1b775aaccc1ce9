/// Which rewriter a displayed part gets for a recipient's resolved settings: the milter's
/// one decision, shared with the benchmarks so they measure what the milter runs.
public enum DisplayedPartRewriters {
    /// An HTML rewriter when there are links to track or (first HTML part only) pixels to
    /// insert; a text rewriter when clicks are tracked; otherwise nil (the part is left as it is).
    public static func make(
        _ part: DisplayedPart, tracking: ResolvedTracking, options: TrackingOptions, urls: any TrackedURLMaker
    ) -> (any PartRewriter)? {
        switch part.kind {
        case .html:
            let pixels = tracking.openTracking && part.htmlIndex == 0 ? options.openPixelPlacement : nil
            guard tracking.clickTracking || pixels != nil else { return nil }
            return HTMLRewriter(
                options: LinkRewriteOptions(clickTracking: tracking.clickTracking, openPixels: pixels,
                                            trackingDomain: tracking.trackingDomain, nonASCIIBytes: part.nonASCIIBytes),
                urls: urls)
        case .plain:
            guard tracking.clickTracking else { return nil }
            return TextRewriter(
                options: LinkRewriteOptions(clickTracking: true, openPixels: nil, trackingDomain: tracking.trackingDomain,
                                            nonASCIIBytes: part.nonASCIIBytes),
                urls: urls)
        }
    }
}

import Foundation
import Tracking

/// The one wiring of a message's body rewrite: a URL maker over the message's sealer, and a
/// streaming MIME rewriter that hands each displayed part to the milter's part rewriter.
/// `MessageProcessor` and the rewrite benchmark both make their rewriters here.
public enum TrackedRewrite {
    public enum Made {
        case rewrite(MIMERewriter, SealedURLMaker)
        /// A limit rules the message out before any work (every token would carry too much).
        case overLimit(RewriteLimits.Kind)
    }

    public static func make(
        headers: [HeaderField], tracking: ResolvedTracking, options: TrackingOptions, recipient: String?,
        sealer: TokenSealer, limits: RewriteLimits, now: Date, output: any BodySink
    ) -> Made {
        let maker = SealedURLMaker(
            sealer: sealer, tracking: tracking, recipient: recipient, options: options, now: now, maxLinks: limits.maxLinks)
        // Every token carries the tags and metadata: too many bytes there would multiply by the links.
        if maker.payloadBytes > limits.maxTokenBytes { return .overLimit(.tokenBytes) }
        let rewriter = MIMERewriter(headers: headers, limits: limits, output: output) { part in
            DisplayedPartRewriters.make(part, tracking: tracking, options: options, urls: maker)
        }
        return .rewrite(rewriter, maker)
    }
}

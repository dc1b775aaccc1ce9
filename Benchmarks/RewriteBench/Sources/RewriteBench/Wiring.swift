import Foundation
import Tracking
import TrackingRuntime

/// The tracking settings of a typical campaign, with the milter's own rewrite wiring
/// (`TrackedRewrite`, as `MessageProcessor` uses it): a real keyring, a fresh `TokenSealer`
/// per message, one recipient, click tracking and both open pixels, campaign id and
/// metadata in the tokens.
struct Wiring {
    let keyring: TrackingKeyring
    let tracking: ResolvedTracking
    let options: TrackingOptions
    let limits = RewriteLimits()
    let recipient = "someone@example.org"

    init() throws {
        keyring = try TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "bench.keys")
        var options = TrackingOptions()
        options.openTrackingEnabled = true
        options.clickTrackingEnabled = true
        options.clickTrackingScheme = .https
        options.openTrackingScheme = .https
        options.trackingDomain = "click.example.com"
        self.options = options
        var policy = PolicyValues()
        try policy.set("smtpapi_campaign_id", to: "spring-newsletter-2026")
        try policy.set("smtpapi_metadata", to: #"{"user_id":"u-1234567","list":"weekly","region":"eu-west"}"#)
        try policy.set("smtpapi_tags", to: #"["newsletter","weekly"]"#)
        tracking = ResolvedTracking.resolve(options: options, header: nil, policy: policy, customerID: "42")
    }

    /// A URL maker for a new message: a fresh sealer (fresh message id), as the milter makes one per message.
    func makeURLMaker() -> SealedURLMaker {
        SealedURLMaker(
            sealer: TokenSealer(keyring: keyring), tracking: tracking, recipient: recipient, options: options, now: Date())
    }

    /// The milter's own choice of rewriter for a part (`DisplayedPartRewriters`).
    func partRewriter(_ part: DisplayedPart, urls: any TrackedURLMaker) -> (any PartRewriter)? {
        DisplayedPartRewriters.make(part, tracking: tracking, options: options, urls: urls)
    }

    /// The HTML rewriter the milter uses for a message's first HTML part.
    func htmlRewriter(urls: any TrackedURLMaker) -> any PartRewriter {
        partRewriter(DisplayedPart(kind: .html, charset: "utf-8", htmlIndex: 0), urls: urls)!
    }

    /// A MIME rewriter for one message, made by the milter's own wiring.
    func mimeRewriter(headers: [HeaderField], output: any BodySink) -> MIMERewriter {
        let made = TrackedRewrite.make(
            headers: headers, tracking: tracking, options: options, recipient: recipient,
            sealer: TokenSealer(keyring: keyring), limits: limits, now: Date(), output: output)
        guard case .rewrite(let rewriter, _) = made else { fatalError("the benchmark's campaign is within the limits") }
        return rewriter
    }
}

extension RawMessage {
    init(file: String) throws {
        self.init(try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))))
        guard headerEnded else { throw BenchError("\(file): no empty line after the header") }
    }

    var headerFields: [HeaderField] { fields.map(\.headerField) }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

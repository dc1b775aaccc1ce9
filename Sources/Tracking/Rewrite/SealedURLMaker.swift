import Foundation

/// Makes the tracked URLs of one message for one recipient (or for a shared body): seals a
/// token per link and pixel with the message's sealer and the resolved settings.
public final class SealedURLMaker: TrackedURLMaker {
    private let sealer: TokenSealer
    private let tracking: ResolvedTracking
    private let recipient: String?
    private let expiry: UInt32
    private let openMetadata: String?
    private let clickMetadata: String?
    private let maxLinks: Int
    private var linksAsked = 0
    /// Bytes of the URLs made so far, and whether one was refused for `max_growth`.
    private var urlBytes = 0
    private var outOfGrowth = false
    /// Bytes the message's tracked URLs may add in all (`max_growth`); whoever feeds the
    /// body raises it as body bytes arrive. A URL past it is refused with the reason
    /// "max_growth", and so is every later one, before any sealing work.
    public var urlByteAllowance = Int.max
    public private(set) var lastRefusal: String?
    /// Whether metadata had to be cut to `max_metadata_len`.
    public let metadataTruncated: Bool
    /// The metadata as open tokens carry it (compact JSON, cut to `max_metadata_len`): what
    /// the message's events show as `rcpt_meta`.
    public var metadataText: String? { openMetadata }
    /// What every token of the message carries besides the link itself: the tags and the
    /// (cut) metadata, in UTF-8 bytes; `max_token_bytes` bounds it.
    public let payloadBytes: Int

    /// - Parameters:
    ///   - recipient: nil for a body shared by several recipients (no recipient in the URLs).
    ///   - now: the sending time the expiry counts from.
    ///   - maxLinks: click URLs made at most (`max_links`); later links are refused with
    ///     the reason "max_links" before any sealing work.
    public init(
        sealer: TokenSealer, tracking: ResolvedTracking, recipient: String?, options: TrackingOptions, now: Date,
        maxLinks: Int = .max
    ) {
        self.sealer = sealer
        self.tracking = tracking
        self.recipient = recipient
        self.maxLinks = maxLinks
        self.expiry = TrackingToken.expiry(now: now, lifetime: tracking.linkExpiry)
        let bounded = tracking.metadata.map { MetadataText.bounded($0, maxBytes: options.maxMetadataLength) }
        self.openMetadata = bounded?.text
        self.clickMetadata = options.clickTrackingIncludeMetadata ? bounded?.text : nil
        self.metadataTruncated = bounded?.truncated ?? false
        // Open tokens always carry the metadata, so they are the larger ones.
        self.payloadBytes = tracking.tags.reduce(openMetadata?.utf8.count ?? 0) { $0 + $1.utf8.count }
    }

    public func clickURL(for link: FoundLink) -> String? {
        guard linksAsked < maxLinks else {
            lastRefusal = RewriteLimits.Kind.links.rawValue
            return nil
        }
        linksAsked += 1
        guard !outOfGrowth else { return refuseForGrowth() }
        let token = TrackingToken(
            kind: .click, targetURL: link.target, linkName: link.name ?? TrackingToken.defaultLinkName,
            unsubscribe: link.unsubscribe, messageID: sealer.messageID, recipient: recipient,
            customerID: tracking.customerID, campaignID: tracking.campaignID, metadata: clickMetadata,
            tags: tracking.tags, expiry: expiry)
        guard let sealed = seal(token) else { return nil }
        return spend(TrackingURL.click(scheme: tracking.clickScheme, domain: tracking.trackingDomain, sublink: link.sublink, token: sealed))
    }

    public func openURL(initial: Bool) -> String? {
        guard !outOfGrowth else { return refuseForGrowth() }
        let token = TrackingToken(
            kind: initial ? .initialOpen : .open, messageID: sealer.messageID, recipient: recipient,
            customerID: tracking.customerID, campaignID: tracking.campaignID, metadata: openMetadata,
            tags: tracking.tags, expiry: expiry)
        guard let sealed = seal(token) else { return nil }
        return spend(TrackingURL.open(scheme: tracking.openScheme, domain: tracking.trackingDomain, token: sealed))
    }

    /// The URL, if it still fits `urlByteAllowance`.
    private func spend(_ url: String) -> String? {
        let (total, overflow) = urlBytes.addingReportingOverflow(url.utf8.count)
        guard !overflow, total <= urlByteAllowance else {
            outOfGrowth = true
            return refuseForGrowth()
        }
        urlBytes = total
        return url
    }

    private func refuseForGrowth() -> String? {
        lastRefusal = RewriteLimits.Kind.growth.rawValue
        return nil
    }

    private func seal(_ token: TrackingToken) -> String? {
        do {
            return try sealer.seal(token)
        } catch {
            // A link that cannot be sealed (a field over 64 KB, too many links) stays as it was.
            lastRefusal = "seal_failed"
            return nil
        }
    }
}

/// Metadata as it travels in URLs: compact JSON, cut to `max_metadata_len` bytes by
/// dropping whole keys (in key order) so what is kept is still a valid object.
public enum MetadataText {
    public static func bounded(_ object: JSONObject, maxBytes: Int) -> (text: String?, truncated: Bool) {
        let full = JSONValue.object(object).jsonText
        if full.utf8.count <= maxBytes { return (full, false) }
        var kept: JSONObject = [:]
        for key in object.keys.sorted() {
            var candidate = kept
            candidate[key] = object[key]
            if JSONValue.object(candidate).jsonText.utf8.count <= maxBytes { kept = candidate }
        }
        return (kept.isEmpty ? nil : JSONValue.object(kept).jsonText, true)
    }
}

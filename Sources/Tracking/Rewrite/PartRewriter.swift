/// What the MIME walker knows about a displayed text part when it asks for a rewriter.
public struct DisplayedPart: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case html, plain }
    public var kind: Kind
    /// The charset parameter, lower-cased; nil when absent (US-ASCII by RFC 2045).
    public var charset: String?
    /// 0 for the first displayed HTML part of the message, 1 for the next, ...; nil for plain text.
    public var htmlIndex: Int?

    public init(kind: Kind, charset: String?, htmlIndex: Int?) {
        self.kind = kind
        self.charset = charset
        self.htmlIndex = htmlIndex
    }

    /// How the part's rewriter must read bytes above 0x7F: opaque for ISO-2022 text, which
    /// the walker hands over through its filter.
    public var nonASCIIBytes: NonASCIIBytes { MIMECharset(charset) == .iso2022 ? .opaque : .characters }
}

/// What bytes above 0x7F stand for in the text a part rewriter gets.
public enum NonASCIIBytes: Sendable, Equatable {
    /// Characters of the part's charset: UTF-8, or an ASCII-compatible legacy charset.
    case characters
    /// Stand-ins for what is not ASCII in a stateful charset (ISO-2022 escapes, shifts,
    /// double-byte runs): never markup, never part of a URL. A link whose written href holds
    /// one is left alone (`stateful_charset`: its target cannot be read without the charset's
    /// tables), and an annotation value holding one counts as empty.
    case opaque
}

/// Rewrites the decoded content of one displayed part, streaming: `feed` gets the part's
/// decoded bytes in pieces of any size (a piece may end in the middle of a tag, a URL or a
/// line ending), and appends what is final to `output`; `finish` appends the rest.
/// Every byte that is not part of a rewritten link or an inserted pixel is copied as it came.
public protocol PartRewriter: AnyObject {
    func feed(_ decoded: UnsafeRawBufferPointer, into output: inout [UInt8])
    func finish(into output: inout [UInt8])
    /// Whether anything was rewritten or inserted so far.
    var changed: Bool { get }
    /// Counts for the log line.
    var statistics: RewriteStatistics { get }
}

/// What a rewrite did, for the per-message log line.
public struct RewriteStatistics: Sendable, Equatable {
    public var linksTracked = 0
    /// Links left alone, by reason (`not_http`, `tracking_domain`, `opted_out`, `limit`, `seal_failed`, ...).
    public var linksSkipped: [String: Int] = [:]
    public var pixels = 0

    public init() {}

    public mutating func skip(_ reason: String) { linksSkipped[reason, default: 0] += 1 }

    public mutating func add(_ other: RewriteStatistics) {
        linksTracked += other.linksTracked
        pixels += other.pixels
        for (k, v) in other.linksSkipped { linksSkipped[k, default: 0] += v }
    }
}

/// A link found in a displayed part, with its data-msys-* annotations.
public struct FoundLink: Sendable, Equatable {
    /// The link's target, entity-decoded (HTML) or as written (text); starts with http:// or https://.
    public var target: String
    /// `data-msys-linkname`, at most 63 characters; nil means the default, "Raw URL".
    public var name: String?
    /// `data-msys-sublink`: the path segment of the click URL.
    public var sublink: String?
    /// `data-msys-unsubscribe="1"`.
    public var unsubscribe: Bool

    public init(target: String, name: String? = nil, sublink: String? = nil, unsubscribe: Bool = false) {
        self.target = target
        self.name = name
        self.sublink = sublink
        self.unsubscribe = unsubscribe
    }
}

/// Makes the tracked URLs for one message (and one recipient): the rewriters ask, the
/// implementation seals tokens. A nil answer leaves the link (or pixel) out, and the
/// rewriter counts it as skipped with the reason given by `lastRefusal`.
public protocol TrackedURLMaker: AnyObject {
    /// The click URL for a link, or nil to leave the link as it is.
    func clickURL(for link: FoundLink) -> String?
    /// The URL of an open pixel: `initial` for the top one (event `initial_open`), else the bottom one (`open`).
    func openURL(initial: Bool) -> String?
    /// Why the last nil answer was given, as a log reason.
    var lastRefusal: String? { get }
}

/// Where open pixels go (`open_pixel_placement`).
public enum OpenPixelPlacement: String, Sendable, CaseIterable {
    case both, top, bottom
}

/// What the HTML and text rewriters do in one part.
public struct LinkRewriteOptions: Sendable, Equatable {
    /// Rewrite links into click URLs.
    public var clickTracking: Bool
    /// Insert open pixels here (HTML only; the walker passes nil except for the first HTML part).
    public var openPixels: OpenPixelPlacement?
    /// `host[:port]` of the tracker: links already pointing there are left alone.
    public var trackingDomain: String

    /// How bytes above 0x7F are read (`.opaque` for ISO-2022 parts).
    public var nonASCIIBytes: NonASCIIBytes

    public init(clickTracking: Bool, openPixels: OpenPixelPlacement?, trackingDomain: String,
                nonASCIIBytes: NonASCIIBytes = .characters) {
        self.clickTracking = clickTracking
        self.openPixels = openPixels
        self.trackingDomain = trackingDomain
        self.nonASCIIBytes = nonASCIIBytes
    }
}

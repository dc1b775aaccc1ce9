/// The data-msys-* annotations of one link (HTML attributes or text `[[...]]` annotations).
struct LinkAnnotations {
    var name: String?
    var sublink: String?
    var unsubscribe = false
    var optedOut = false
    /// Whether any data-msys-* annotation was present (and so is removed from the output).
    var present = false

    /// The longest link name kept, in characters.
    static let maxNameLength = 63

    /// Takes one `data-msys-NAME` annotation; the first of each name wins, as HTML5 keeps
    /// the first of duplicate attributes. `suffix` is NAME, lower-cased.
    mutating func take(suffix: String, value: String, seen: inout Set<String>) {
        present = true
        guard seen.insert(suffix).inserted else { return }
        let trimmed = value.trimmingASCIIWhitespace()
        switch suffix {
        case "linkname":
            name = trimmed.isEmpty ? nil : String(trimmed.prefix(Self.maxNameLength))
        case "sublink":
            sublink = trimmed.isEmpty ? nil : trimmed
        case "unsubscribe":
            unsubscribe = trimmed == "1"
        case "clicktrack":
            optedOut = trimmed == "0"
        default:
            break
        }
    }
}

/// Decides about links and pixels for one part, asks the URL maker, and keeps the counts.
struct LinkTracker {
    let options: LinkRewriteOptions
    let urls: any TrackedURLMaker
    private let domain: [UInt8]
    var statistics = RewriteStatistics()
    /// Whether anything was rewritten, inserted or removed.
    var changed = false

    init(options: LinkRewriteOptions, urls: any TrackedURLMaker) {
        self.options = options
        self.urls = urls
        self.domain = Array(options.trackingDomain.utf8)
    }

    /// The click URL for a link whose target (decoded, not yet cleaned) is `raw`, or nil to
    /// leave it; counts the outcome. Links are not counted at all when click tracking is off.
    /// `writtenOpaque`: the link as written holds opaque bytes (`NonASCIIBytes.opaque`).
    mutating func clickURL(raw: [UInt8], annotations: LinkAnnotations, writtenOpaque: Bool = false) -> String? {
        guard options.clickTracking else { return nil }
        let target = LinkTarget.cleaned(raw)
        guard let schemeLength = LinkTarget.webSchemeLength(target) else {
            statistics.skip("not_http")
            return nil
        }
        if writtenOpaque {
            statistics.skip("stateful_charset")
            return nil
        }
        if LinkTarget.isOnDomain(target, schemeLength: schemeLength, domain: domain) {
            statistics.skip("tracking_domain")
            return nil
        }
        if annotations.optedOut {
            statistics.skip("opted_out")
            return nil
        }
        let link = FoundLink(target: LinkTarget.text(target), name: annotations.name,
                             sublink: annotations.sublink, unsubscribe: annotations.unsubscribe)
        guard let url = urls.clickURL(for: link) else {
            statistics.skip(urls.lastRefusal ?? "refused")
            return nil
        }
        statistics.linksTracked += 1
        changed = true
        return url
    }

    /// The URL of an open pixel, or nil (counted as skipped with the maker's reason).
    mutating func openURL(initial: Bool) -> String? {
        guard let url = urls.openURL(initial: initial) else {
            statistics.skip(urls.lastRefusal ?? "refused")
            return nil
        }
        statistics.pixels += 1
        changed = true
        return url
    }

    /// Whether written bytes hold opaque ones (only ever in `NonASCIIBytes.opaque` parts).
    func isOpaque(_ written: some Sequence<UInt8>) -> Bool {
        options.nonASCIIBytes == .opaque && written.contains { $0 >= 0x80 }
    }

    /// An annotation's value as text; one holding opaque bytes counts as empty (the name is
    /// ISO-2022 text, unreadable without the charset's tables: better "Raw URL" than garbage).
    func label(_ bytes: [UInt8]) -> String {
        isOpaque(bytes) ? "" : LinkTarget.label(bytes)
    }

    /// Counts a link left alone because its tag or URL is too long to hold.
    mutating func skipTooLong() {
        if options.clickTracking { statistics.skip("too_long") }
    }
}

extension String {
    /// The string without leading and trailing ASCII whitespace.
    /// Without leading and trailing ASCII white space (space, tab, CR, LF, FF).
    public func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" || $0 == "\u{0C}" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}

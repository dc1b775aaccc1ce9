/// The URLs of tracked links and open pixels (SPEC §5): the one definition of their shape,
/// used by the rewriter that makes them, the tracker's router and `decode`.
public enum TrackingURL: Sendable {
    /// The path segment of a click URL when the link sets no `data-msys-sublink`.
    public static let defaultSublink = "a"
    /// The first path segment of click URLs: `/f/{sublink}/{token}`.
    public static let clickSegment = "f"
    /// The first path segment of open URLs: `/q/{token}`.
    public static let openSegment = "q"
    /// The first path segment of one-click unsubscribe URLs: `/u/{token}`.
    public static let listUnsubscribeSegment = "u"

    /// `{scheme}://{domain}/f/{sublink}/{token}`. The sublink is percent-encoded; an empty
    /// one, or `.` or `..`, becomes `a`.
    public static func click(scheme: URLScheme, domain: String, sublink: String?, token: String) -> String {
        "\(scheme.rawValue)://\(domain)/\(clickSegment)/\(pathSegment(sublink))/\(token)"
    }

    /// `{scheme}://{domain}/q/{token}`.
    public static func open(scheme: URLScheme, domain: String, token: String) -> String {
        "\(scheme.rawValue)://\(domain)/\(openSegment)/\(token)"
    }

    /// `https://{domain}/u/{token}`: always https, whatever the click scheme, because
    /// RFC 8058 §3.1 requires an HTTPS URI for one-click unsubscription.
    public static func listUnsubscribe(domain: String, token: String) -> String {
        "https://\(domain)/\(listUnsubscribeSegment)/\(token)"
    }

    /// Whether `uri` is a one-click unsubscribe URL of `domain`: `https://{domain}/u/{token}`
    /// with a non-empty token segment and nothing after it. Scheme and host compare
    /// case-insensitively, the path exactly (as the tracker routes it); the token is not
    /// opened (that needs the keys).
    public static func isListUnsubscribe(_ uri: some StringProtocol, domain: String) -> Bool {
        let origin = Array("https://\(domain)".utf8)
        let path = Array("/\(listUnsubscribeSegment)/".utf8)
        let bytes = Array(uri.utf8)
        let prefixLength = origin.count + path.count
        guard bytes.count > prefixLength,
              MIMEBytes.lowercased(bytes[..<origin.count]) == MIMEBytes.lowercased(origin),
              bytes[origin.count..<prefixLength].elementsEqual(path)
        else { return false }
        return bytes[prefixLength...].allSatisfy(Base64URL.isAlphabet)
    }

    /// The token of a tracked URL (`.../f/SUBLINK/TOKEN`, `.../q/TOKEN`, `.../u/TOKEN`, with any query or
    /// fragment dropped), or the text itself when it is a bare token.
    public static func token(in text: String) -> Substring {
        var path = Substring(text)
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        while path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return path }
        return path[path.index(after: slash)...]
    }

    /// The sublink as one path segment. Every byte outside RFC 3986's unreserved characters
    /// is percent-encoded, so the sublink cannot add segments, a query or a fragment, and any
    /// text (non-ASCII too) survives. Dot segments are replaced, not encoded: browsers resolve
    /// `%2E%2E` like `..` and would drop the `/f/` that routes the click.
    static func pathSegment(_ sublink: String?) -> String {
        guard let sublink, !sublink.isEmpty, sublink != ".", sublink != ".." else { return defaultSublink }
        return Hex.percentEncoded(sublink) { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                false
            default:
                true
            }
        }
    }
}

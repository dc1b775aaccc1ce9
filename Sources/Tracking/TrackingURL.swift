/// The URLs of tracked links and open pixels (SPEC §5).
public enum TrackingURL: Sendable {
    /// The path segment of a click URL when the link sets no `data-msys-sublink`.
    public static let defaultSublink = "a"

    /// `{scheme}://{domain}/f/{sublink}/{token}`. The sublink is percent-encoded; an empty
    /// one, or `.` or `..`, becomes `a`.
    public static func click(scheme: URLScheme, domain: String, sublink: String?, token: String) -> String {
        "\(scheme.rawValue)://\(domain)/f/\(pathSegment(sublink))/\(token)"
    }

    /// `{scheme}://{domain}/q/{token}`.
    public static func open(scheme: URLScheme, domain: String, token: String) -> String {
        "\(scheme.rawValue)://\(domain)/q/\(token)"
    }

    /// The sublink as one path segment. Every byte outside RFC 3986's unreserved characters
    /// is percent-encoded, so the sublink cannot add segments, a query or a fragment, and any
    /// text (non-ASCII too) survives. Dot segments are replaced, not encoded: browsers resolve
    /// `%2E%2E` like `..` and would drop the `/f/` that routes the click.
    static func pathSegment(_ sublink: String?) -> String {
        guard let sublink, !sublink.isEmpty, sublink != ".", sublink != ".." else { return defaultSublink }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in sublink.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

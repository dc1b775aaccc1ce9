/// The RFC 8058 header fields of a tracked message, decided from the fields it already has.
/// Pure: the caller seals the URL and hands the fields to the MTA.
public enum ListUnsubscribeFields {
    public static let name = "List-Unsubscribe"
    public static let postName = "List-Unsubscribe-Post"
    /// The one value RFC 8058 §3.1 allows.
    public static let postValue = "List-Unsubscribe=One-Click"
    /// RFC 5322 §2.1.1: lines SHOULD stay within 78 bytes and MUST within 998. The hard
    /// bound here is 990, the line length of Sendmail's smtp mailer (`L=990`), which breaks
    /// longer lines with `!`; Postfix folds lines past `smtp_line_length_limit` (998). Either
    /// would cut the URL.
    static let preferredLineBytes = 78
    public static let maxLineBytes = 990
    /// The longest URL `value(url:)` takes: a folded line is a space, `<`, the URL and `>`.
    public static let maxURLBytes = maxLineBytes - 3

    /// What a message needs.
    public enum Decision: Sendable, Equatable {
        /// Add `List-Unsubscribe` with a fresh URL, and `List-Unsubscribe-Post`.
        case addBoth
        /// The message carries a one-click URL of ours without `List-Unsubscribe-Post`
        /// (it came through before and lost it): add only the Post field.
        case addPostOnly
        /// The message has its own `List-Unsubscribe` (or ours complete): the sender's
        /// choice stands and nothing is added.
        case keepExisting
    }

    /// - Parameters:
    ///   - headers: the message's top-level fields, values as the MTA handed them over.
    ///   - trackingDomain: the domain this message's tracked URLs use.
    public static func decide(headers: [HeaderField], trackingDomain: String) -> Decision {
        let existing = headers.filter { $0.name.utf8.count == name.utf8.count && $0.name.lowercased() == "list-unsubscribe" }
        guard !existing.isEmpty else { return .addBoth }
        let hasPost = headers.contains { $0.name.utf8.count == postName.utf8.count && $0.name.lowercased() == "list-unsubscribe-post" }
        guard !hasPost else { return .keepExisting }
        // One-click needs exactly one HTTPS URI (RFC 8058 §3.1); only when that one is ours
        // do we know that a POST to it works.
        let https = existing.flatMap { uris(in: $0.value) }.filter { MIMEBytes.lowercased($0.utf8.prefix(8)) == "https://" }
        guard https.count == 1, let uri = https.first, TrackingURL.isListUnsubscribe(uri, domain: trackingDomain) else {
            return .keepExisting
        }
        return .addPostOnly
    }

    /// The `List-Unsubscribe` value for `url` as it goes to the MTA (which puts a space after
    /// the colon): `<url>` when the line fits 78 bytes, else folded after the colon as
    /// LF + space, the form libmilter takes. The URL itself is never folded: RFC 2369 §2
    /// forbids white space inside the angle brackets. Nil when even the folded line would
    /// pass `maxLineBytes`.
    public static func value(url: String) -> String? {
        let bracketed = "<\(url)>"
        let length = bracketed.utf8.count
        if name.utf8.count + 2 + length <= preferredLineBytes { return bracketed }
        guard 1 + length <= maxLineBytes else { return nil }
        return "\n " + bracketed
    }

    /// The `<...>` URIs of a List-Unsubscribe value (RFC 2369 §2), white space inside
    /// removed as the RFC tells clients to. Bounded by the value, which the MTA bounds.
    static func uris(in value: [UInt8]) -> [String] {
        var found: [String] = []
        var current: [UInt8]?
        for byte in value {
            switch byte {
            case UInt8(ascii: "<"): current = []
            case UInt8(ascii: ">"):
                if let uri = current { found.append(String(decoding: uri, as: UTF8.self)) }
                current = nil
            case 0x20, 0x09, 0x0D, 0x0A: break
            default: current?.append(byte)
            }
        }
        return found
    }
}

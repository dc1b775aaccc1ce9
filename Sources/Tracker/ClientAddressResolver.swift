/// Finds the client of a request: the peer, or — when the peer is a trusted proxy — the
/// right-most address in `X-Forwarded-For` that is not itself a trusted proxy.
///
/// Only the right end of the header can be believed: each trusted proxy appends the address
/// it saw, while anything to the left of the first untrusted hop was written by the client.
struct ClientAddressResolver: Sendable {
    let trusted: IPRangeSet

    init(trustedProxies: IPRangeSet) {
        self.trusted = trustedProxies
    }

    /// - Parameters:
    ///   - peer: the TCP peer's address text, nil when unknown.
    ///   - forwardedFor: every `X-Forwarded-For` field value, in the order received.
    func resolve(peer: String?, forwardedFor: [String]) -> ClientIP? {
        guard let peerIP = peer.flatMap({ ClientIP($0) }) else { return nil }
        guard !trusted.isEmpty, trusted.contains(peerIP), !forwardedFor.isEmpty else { return peerIP }
        var client = peerIP
        // Right to left over all fields together: a later field was appended by a later proxy.
        for value in forwardedFor.reversed() {
            for entry in value.split(separator: ",", omittingEmptySubsequences: false).reversed() {
                guard let hop = Self.parseHop(entry) else { return client }
                client = hop
                if !trusted.contains(hop) { return hop }
            }
        }
        return client
    }

    /// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`, with blanks around.
    static func parseHop(_ entry: Substring) -> ClientIP? {
        var text = entry.drop { $0 == " " || $0 == "\t" }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return ClientIP(text[text.index(after: text.startIndex)..<close])
        }
        let colons = text.reduce(0) { $0 + ($1 == ":" ? 1 : 0) }
        if colons == 1, let colon = text.firstIndex(of: ":") { return ClientIP(text[..<colon]) }
        return ClientIP(text)
    }
}

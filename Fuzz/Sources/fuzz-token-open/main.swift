// The token opener (TokenOpening, TokenBody, Base64URL) under a fixed test key.
// Every input is tried as token text: it may open only if it is one of the genuinely
// sealed tokens below (the seeds), so any mutation of one that opens is a forgery.
// Every input also becomes the fields of a new token, which must seal, open to the same
// token, and stop opening when one character is changed or the text is cut.
// And every input is given to the version 2 string coder (TokenDictionary) both ways: as
// coded bytes it decodes to at most the limit or is refused, and as plain bytes it codes
// and decodes back to itself, never longer than twice its length.
#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
@testable import Tracking

let key = TrackingKey(id: 7, secret: [UInt8](repeating: 0x42, count: TrackingKey.secretLength))
let otherKey = TrackingKey(id: 9, secret: [UInt8](repeating: 0x17, count: TrackingKey.secretLength))
guard let key, let otherKey, let keyring = TrackingKeyring(keys: [key, otherKey], activeID: 7) else {
    fatalError("test keys")
}

if let directory = CommandLine.arguments.dropFirst().first, directory == "--print-seeds" {
    // Writes fresh genuine tokens for GenuineTokens.swift; run once when the format changes.
    for token in sampleTokens() {
        let sealer = TokenSealer(keyring: keyring)
        var token = token
        token.messageID = sealer.messageID
        print(try sealer.seal(token))
    }
    exit(0)
}

let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

runFuzzer { data in
    let text = String(decoding: data, as: UTF8.self)
    if let opened = try? TrackingToken.open(text, with: keyring) {
        require(genuineTokens.contains(text), "a token that was never sealed opened: \(text) -> \(opened)")
    }
    roundTrip(Array(data))
    dictionaryCoding(Array(data))
}

func dictionaryCoding(_ bytes: [UInt8]) {
    let limit = 4096
    if let decoded = TokenDictionary.decode(bytes[...], limit: limit) {
        require(decoded.count <= limit, "decoded past the limit: \(decoded.count)")
    }
    var coded: [UInt8] = []
    TokenDictionary.encode(bytes, into: &coded)
    // Lone bytes past ASCII cost three; valid UTF-8 (what tokens hold) at most twice its size.
    require(coded.count <= 3 * bytes.count, "coded \(bytes.count) bytes into \(coded.count)")
    if String(validating: bytes, as: UTF8.self) != nil {
        require(coded.count <= 2 * bytes.count, "coded \(bytes.count) bytes of UTF-8 into \(coded.count)")
    }
    let back = TokenDictionary.decode(coded[...], limit: bytes.count)
    require(back == bytes, "coding changed the bytes: \(bytes) -> \(coded) -> \(String(describing: back))")
}

func sampleTokens() -> [TrackingToken] {
    [
        TrackingToken(kind: .click, targetURL: "https://shop.example.com/spring?utm_source=mail", messageID: [], expiry: 1_780_000_000),
        TrackingToken(kind: .click, targetURL: "http://example.org/", linkName: "Unsubscribe", unsubscribe: true,
                      messageID: [], recipient: "jane@example.org", campaignID: "c1", expiry: 1_780_000_000),
        TrackingToken(kind: .open, messageID: [], recipient: "a@b.example", customerID: "17",
                      metadata: #"{"k":"v"}"#, tags: ["t1", "t2"], expiry: 4_000_000_000),
        TrackingToken(kind: .initialOpen, messageID: [], expiry: 0),
        TrackingToken(kind: .listUnsubscribe, messageID: [], recipient: "jane@example.org", campaignID: "c1",
                      expiry: 1_780_000_000),
    ]
}

/// The input's bytes as token fields: NUL-separated target, name, recipient, campaign, metadata, tags.
func roundTrip(_ data: [UInt8]) {
    let parts = data.split(separator: 0, maxSplits: 5, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    func part(_ index: Int) -> String? { index < parts.count ? parts[index] : nil }
    let selector = data.first ?? 0
    let sealer = TokenSealer(keyring: keyring)
    let token = TrackingToken(
        kind: TrackingToken.EventKind(rawValue: selector % UInt8(TrackingToken.EventKind.allCases.count)) ?? .click,
        targetURL: part(0) ?? "",
        linkName: part(1) ?? TrackingToken.defaultLinkName, unsubscribe: selector & 0x80 != 0,
        messageID: sealer.messageID, recipient: part(2), campaignID: part(3), metadata: part(4),
        tags: part(5).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? [],
        expiry: UInt32(truncatingIfNeeded: data.count &* 2_654_435_761))
    let sealed: String
    do {
        sealed = try sealer.seal(token)
    } catch {
        require(false, "a token with fields of under 64 KB did not seal: \(error)")
        return
    }
    do {
        let opened = try TrackingToken.open(sealed, with: keyring)
        require(opened == token, "round trip changed the token: \(token) -> \(opened)")
    } catch {
        require(false, "a sealed token did not open: \(error)")
    }
    var characters = Array(sealed.utf8)
    let position = Int(selector) % characters.count
    let original = characters[position]
    characters[position] = alphabet[(Int(data.last ?? 1) % (alphabet.count - 1) + 1 + (alphabet.firstIndex(of: original) ?? 0)) % alphabet.count]
    require(characters[position] != original, "the mutation did not change the character")
    let altered = String(decoding: characters, as: UTF8.self)
    require((try? TrackingToken.open(altered, with: keyring)) == nil, "a token with a changed character opened: \(altered)")
    let cut = String(decoding: Array(sealed.utf8).dropLast(1 + position % 4), as: UTF8.self)
    require((try? TrackingToken.open(cut, with: keyring)) == nil, "a cut token opened")
}

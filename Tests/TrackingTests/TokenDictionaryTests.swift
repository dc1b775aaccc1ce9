import Testing
@testable import Tracking

@Suite("Version 2 tokens code the sender's strings with a fixed dictionary")
struct TokenDictionaryTests {
    private func coded(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        TokenDictionary.encode(text.utf8, into: &out)
        return out
    }

    @Test("the table fills the 127 entry bytes, each entry distinct, ASCII and longer than one byte")
    func table() {
        let entries = TokenDictionary.entries
        #expect(entries.count == 127)
        #expect(Set(entries).count == entries.count)
        #expect(entries.allSatisfy { $0.count >= 2 && $0.count <= 16 && $0.allSatisfy { $0 < 0x80 } })
    }

    @Test("every entry alone codes to its one byte")
    func entriesCodeToOneByte() {
        for (index, entry) in TokenDictionary.entries.enumerated() {
            var out: [UInt8] = []
            TokenDictionary.encode(entry, into: &out)
            #expect(out == [0x80 + UInt8(index)], "\(String(decoding: entry, as: UTF8.self))")
        }
    }

    @Test("the longest entry wins, and text the table does not know stays as it is")
    func longestMatch() {
        #expect(coded("https://www.x") == [0x80, UInt8(ascii: "x")])
        #expect(coded("https://x") == [0x82, UInt8(ascii: "x")])
        #expect(coded("zq9") == Array("zq9".utf8))
    }

    @Test("bytes past ASCII travel in runs of at most 255")
    func runs() {
        #expect(coded("caf\u{E9}") == Array("caf".utf8) + [0xFF, 2, 0xC3, 0xA9])
        let long = String(repeating: "\u{E9}", count: 200)  // 400 bytes: runs of 255 and 145
        let out = coded(long)
        #expect(out.count == 400 + 4 && out[0] == 0xFF && out[1] == 255 && out[257] == 0xFF && out[258] == 145)
        #expect(TokenDictionary.decode(out[...], limit: 400) == Array(long.utf8))
    }

    @Test("any bytes code and decode back to themselves", arguments: 0..<4)
    func roundTrip(seed: UInt64) {
        var random = SplitMix64(seed: 0x70CE_0000 + seed)
        // Mostly URL-like ASCII with the table's pieces mixed in, and some bytes of any value.
        let pieces = TokenDictionary.entries + ["a", "/", "?", "=", "&", "\u{E9}", "\u{65E5}"].map { Array($0.utf8) }
        for _ in 0..<500 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(random.next() % 40) {
                if random.next() % 8 == 0 {
                    bytes.append(UInt8(truncatingIfNeeded: random.next()))
                } else {
                    bytes += pieces[Int(random.next() % UInt64(pieces.count))]
                }
            }
            var out: [UInt8] = []
            TokenDictionary.encode(bytes, into: &out)
            #expect(TokenDictionary.decode(out[...], limit: bytes.count) == bytes)
        }
    }

    @Test("malformed coded bytes are refused", arguments: [
        [0xFF], [0xFF, 0], [0xFF, 2, 0xC3], [0x41, 0xFF, 3, 1, 2],
    ] as [[UInt8]])
    func malformed(bytes: [UInt8]) {
        #expect(TokenDictionary.decode(bytes[...], limit: 1000) == nil)
    }

    @Test("decoding stops at the limit: sixteen bytes of entries cannot become a megabyte")
    func limit() {
        let coded = [UInt8](repeating: 0x80, count: 16)  // 16 × "https://www."
        #expect(TokenDictionary.decode(coded[...], limit: 16 * 12)?.count == 192)
        #expect(TokenDictionary.decode(coded[...], limit: 16 * 12 - 1) == nil)
    }

    @Test("a link of the benchmark's newsletter codes to less than a third")
    func newsletterLink() {
        let link = "https://www.example-shop.com/guide/offer-1003?utm_source=newsletter&utm_medium=email&utm_campaign=weekly"
        let out = coded(link)
        #expect(out.count * 3 < link.utf8.count)
        #expect(TokenDictionary.decode(out[...], limit: 1000) == Array(link.utf8))
    }
}

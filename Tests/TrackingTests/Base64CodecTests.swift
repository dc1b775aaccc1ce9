import Testing
import Tracking

struct Base64CodecTests {
    private func encode(_ bytes: [UInt8], lineEnding: MIMELineEnding = .crlf) -> String {
        String(decoding: Base64Codec.encode(bytes, lineEnding: lineEnding), as: UTF8.self)
    }

    @Test func encodesWithPadding() {
        #expect(encode(Array("hello".utf8)) == "aGVsbG8=")
        #expect(encode(Array("hell".utf8)) == "aGVsbA==")
        #expect(encode(Array("hel".utf8)) == "aGVs")
        #expect(encode([]) == "")
    }

    @Test func writes76ColumnLinesWithTheGivenEnding() {
        let bytes = (0..<200).map { UInt8($0 & 0xFF) }
        let crlf = encode(bytes)
        let lines = crlf.split(separator: "\r\n", omittingEmptySubsequences: false)  // "\r\n" is one Character
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        #expect(lines.last!.count <= 76)
        #expect(!crlf.hasSuffix("\r\n"))
        let lf = encode(bytes, lineEnding: .lf)
        #expect(!lf.contains("\r"))
        let lfLines: [Substring] = lf.split(separator: "\n")
        #expect(lfLines.dropLast().allSatisfy { $0.count == 76 })
        // Exactly one full line: no line ending after it.
        #expect(!encode(Array(repeating: 1, count: 57)).contains("\n"))
    }

    @Test func decodesAcrossLinesAndWhitespace() throws {
        #expect(try Base64Codec.decode(Array("aGVs\r\n bG8=\r\n".utf8)) == Array("hello".utf8))
        #expect(try Base64Codec.decode(Array("aG\tVs bG\n8=".utf8)) == Array("hello".utf8))
        #expect(try Base64Codec.decode(Array("aGVsbG8".utf8)) == Array("hello".utf8))
    }

    @Test func decodesTheSameWhenSplitAnywhere() throws {
        let bytes = (0..<300).map { UInt8(($0 * 7) & 0xFF) }
        let encoded = Base64Codec.encode(bytes)
        for split in 0...encoded.count {
            var decoder = Base64Codec.Decoder()
            var out: [UInt8] = []
            let first = Array(encoded[..<split]), second = Array(encoded[split...])
            try first.withUnsafeBytes { try decoder.decode($0, into: &out) }
            try second.withUnsafeBytes { try decoder.decode($0, into: &out) }
            try decoder.finish(into: &out)
            #expect(out == bytes, "split at \(split)")
        }
    }

    @Test func encodesTheSameWhenSplitAnywhere() {
        let bytes = (0..<130).map { UInt8(($0 * 13) & 0xFF) }
        let whole = Base64Codec.encode(bytes)
        for split in 0...bytes.count {
            var encoder = Base64Codec.Encoder()
            var out: [UInt8] = []
            bytes.withUnsafeBytes {
                encoder.encode(UnsafeRawBufferPointer(rebasing: $0[..<split]), into: &out)
                encoder.encode(UnsafeRawBufferPointer(rebasing: $0[split...]), into: &out)
            }
            encoder.finish(into: &out)
            #expect(out == whole, "split at \(split)")
        }
    }

    @Test func rejectsBadData() {
        #expect(throws: Base64Codec.DecodingError.invalidCharacter(UInt8(ascii: "$"))) {
            try Base64Codec.decode(Array("aGV$bG8=".utf8))
        }
        #expect(throws: Base64Codec.DecodingError.dataAfterPadding) {
            try Base64Codec.decode(Array("aGk=\r\naGk=".utf8))
        }
        #expect(throws: Base64Codec.DecodingError.badPadding) { try Base64Codec.decode(Array("aGVsb".utf8)) }
        #expect(throws: Base64Codec.DecodingError.badPadding) { try Base64Codec.decode(Array("a===".utf8)) }
    }

    @Test func randomBytesRoundTrip() throws {
        for _ in 0..<100 {
            let bytes = (0..<Int.random(in: 0...500)).map { _ in UInt8.random(in: 0...255) }
            #expect(try Base64Codec.decode(Base64Codec.encode(bytes)) == bytes)
        }
    }
}

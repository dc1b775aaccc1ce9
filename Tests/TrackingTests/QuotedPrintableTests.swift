import Testing
import Tracking

struct QuotedPrintableTests {
    private func encode(_ text: String, lineEnding: MIMELineEnding = .crlf) -> String {
        String(decoding: QuotedPrintable.encode(Array(text.utf8), lineEnding: lineEnding), as: UTF8.self)
    }

    private func decode(_ text: String) -> String {
        String(decoding: QuotedPrintable.decode(Array(text.utf8)), as: UTF8.self)
    }

    /// Lines without their endings (split on bytes: Swift's "\r\n" is one Character).
    private func lines(_ text: String) -> [Substring] {
        text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Substring(line.last == 0x0D ? line.dropLast() : line)
        }
    }

    @Test func encodesEqualsSignAndEightBitBytes() {
        #expect(encode("a=b") == "a=3Db")
        #expect(encode("café") == "caf=C3=A9")
        #expect(encode("tab\there") == "tab\there")
        #expect(encode("bell\u{07}") == "bell=07")
    }

    @Test func encodesWhitespaceOnlyBeforeALineBreakOrTheEnd() {
        #expect(encode("foo \r\nbar") == "foo=20\r\nbar")
        #expect(encode("foo  \r\nbar") == "foo =20\r\nbar")
        #expect(encode("foo\t") == "foo=09")
        #expect(encode("a b") == "a b")
    }

    @Test func writesTheLineBreaksOfThePartsKindAndKeepsBareLFsInACRLFPart() {
        // In a CRLF part a bare LF is text (an encoded =0A): it stays an LF when decoded.
        #expect(encode("a \nb\r\nc\n") == "a =0Ab\r\nc=0A")
        #expect(encode("a \nb\r\nc\n", lineEnding: .lf) == "a=20\nb\nc\n")
        #expect(encode("x\ry\r") == "x=0Dy=0D")
    }

    @Test func decodeThenEncodeIsStable() {
        let encoded = Array((String(repeating: "wörd ", count: 40) + "\r\nnext\t\r\n=\r\n").utf8)
        let once = QuotedPrintable.encode(encoded)
        #expect(QuotedPrintable.encode(QuotedPrintable.decode(once)) == once)
    }

    @Test func lineOfExactly76StaysWhole() {
        let line = String(repeating: "a", count: 76)
        #expect(encode(line + "\r\nb") == line + "\r\nb")
        #expect(encode(line) == line)
    }

    @Test func longerLineGetsSoftBreaksAtMost76Columns() {
        let encoded = encode(String(repeating: "a", count: 77))
        #expect(encoded == String(repeating: "a", count: 75) + "=\r\n" + "aa")
        let lf = encode(String(repeating: "b", count: 200), lineEnding: .lf)
        #expect(!lf.contains("\r"))
        #expect(lines(lf).allSatisfy { $0.count <= 76 })
        #expect(decode(lf) == String(repeating: "b", count: 200))
    }

    @Test func neverSplitsAnEscape() {
        let text = String(repeating: "a", count: 74) + "éé" + String(repeating: "=", count: 30)
        let encoded = encode(text)
        for line in lines(encoded) {
            #expect(line.count <= 76)
            let body = line.hasSuffix("=") ? line.dropLast() : line
            // Every "=" in a line body starts a complete escape.
            var rest = body[...]
            while let eq = rest.firstIndex(of: "=") {
                #expect(rest.distance(from: eq, to: rest.endIndex) >= 3, "split escape in \(line)")
                rest = rest[rest.index(after: eq)...]
            }
        }
        #expect(decode(encoded) == text)
    }

    @Test func trailingSpaceAtColumn76IsEncodedOnTheNextLine() {
        let text = String(repeating: "a", count: 75) + " \r\nz"
        let encoded = encode(text)
        #expect(lines(encoded).allSatisfy { $0.count <= 76 })
        #expect(!lines(encoded).contains { $0.hasSuffix(" ") })
        #expect(decode(encoded) == text)
    }

    @Test func decodesEscapesOfEitherCaseAndSoftBreaks() {
        #expect(decode("a=3Db=3dc") == "a=b=c")
        #expect(decode("caf=c3=a9") == "café")
        #expect(decode("abc=\r\ndef") == "abcdef")
        #expect(decode("abc=\ndef") == "abcdef")
        #expect(decode("abc=  \r\ndef") == "abcdef")
        #expect(decode("line one\r\nline two\n") == "line one\r\nline two\n")
    }

    @Test func keepsBrokenEscapesLiterally() {
        var decoder = QuotedPrintable.Decoder()
        var out: [UInt8] = []
        Array("a=ZZ b=4 =G1 c=".utf8).withUnsafeBytes { decoder.decode($0, into: &out) }
        decoder.finish(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "a=ZZ b=4 =G1 c")
        #expect(decoder.literalEquals == 3)
        #expect(decode("x=4") == "x=4")
    }

    @Test func keepsTrailingWhitespaceLikeReaders() {
        #expect(decode("flowed \r\nnext") == "flowed \r\nnext")
    }

    @Test func decodesTheSameWhenSplitAnywhere() {
        let encoded = Array("Gr=C3=BC=C3=9Fe=\r\n aus =3D K=c3=B6ln=\n=ZZ end=".utf8)
        let whole = QuotedPrintable.decode(encoded)
        for split in 0...encoded.count {
            var decoder = QuotedPrintable.Decoder()
            var out: [UInt8] = []
            encoded.withUnsafeBytes {
                decoder.decode(UnsafeRawBufferPointer(rebasing: $0[..<split]), into: &out)
                decoder.decode(UnsafeRawBufferPointer(rebasing: $0[split...]), into: &out)
            }
            decoder.finish(into: &out)
            #expect(out == whole, "split at \(split)")
        }
    }

    @Test func encodesTheSameWhenSplitAnywhere() {
        let text = Array((String(repeating: "x", count: 73) + " =\r\n\té \r\n" + String(repeating: "y", count: 80) + " ").utf8)
        let whole = QuotedPrintable.encode(text)
        for split in 0...text.count {
            var encoder = QuotedPrintable.Encoder()
            var out: [UInt8] = []
            text.withUnsafeBytes {
                encoder.encode(UnsafeRawBufferPointer(rebasing: $0[..<split]), into: &out)
                encoder.encode(UnsafeRawBufferPointer(rebasing: $0[split...]), into: &out)
            }
            encoder.finish(into: &out)
            #expect(out == whole, "split at \(split)")
        }
    }

    @Test func randomBytesRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let alphabet: [UInt8] = [0x20, 0x09, 0x0D, 0x0A, 0x3D, 0x41, 0x7A, 0xFF, 0x00, 0x2E]
            let bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            let encoded = QuotedPrintable.encode(bytes)
            // Exact, byte for byte: CRLF travels as a line break, a bare LF or CR as an escape.
            #expect(QuotedPrintable.decode(encoded) == bytes)
            let text = String(decoding: encoded, as: UTF8.self)
            #expect(lines(text).allSatisfy { $0.utf8.count <= 76 })
            #expect(encoded.allSatisfy { $0 == 0x0D || $0 == 0x0A || $0 == 0x09 || (0x20...0x7E).contains($0) })
        }
    }
}

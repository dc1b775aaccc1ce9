import Testing
import Tracking

/// A displayed part with no body at all (its delimiter follows the header's blank line at
/// once) that the rewriter fills, here with open pixels. The fuzzer (fuzz-message) found the
/// written text running into the delimiter line (`<img .../>--b`), so the delimiter was gone
/// and the parts after it joined the HTML part. The input is kept in
/// Fuzz/regressions/fuzz-message.
struct MIMEEmptyPartRegressionTests {
    typealias T = MIMETestSupport

    static let related = """
        --b
        Content-Type: text/html

        --b
        Content-Type: image/gif

        GIF
        --b--

        """

    static let headers = [(name: "Content-Type", value: "multipart/related; boundary=\"b\"")]

    /// The real HTML rewriter placing both pixels, as the milter does for the first HTML part.
    static func pixels(_ part: DisplayedPart) -> (any PartRewriter)? {
        let options = LinkRewriteOptions(clickTracking: true, openPixels: .both, trackingDomain: "t.example")
        return part.kind == .html ? HTMLRewriter(options: options, urls: FakeURLMaker()) : nil
    }

    @Test(arguments: [false, true])
    func pixelsInAnEmptyPartKeepTheNextDelimiter(crlf: Bool) {
        let input = crlf ? T.crlf(Self.related) : Self.related
        let ending = crlf ? "\r\n" : "\n"
        for chunkSizes in [[], [1], [3, 7]] {
            let result = T.run(headers: Self.headers, body: T.bytes(input), chunkSizes: chunkSizes, makeRewriter: Self.pixels)
            let pixels = PixelMarkup.make("https://t.example/q/TOP") + PixelMarkup.make("https://t.example/q/BOTTOM")
            let expected = input.mimeTestReplacing("text/html\(ending)\(ending)--b", "text/html\(ending)\(ending)\(pixels)\(ending)--b")
            #expect(T.text(result) == expected, "chunks \(chunkSizes)")
        }
    }

    /// Read again, the output has the same structure: the pixels are the HTML part's whole
    /// content, and the image part is still a part of its own after an intact delimiter.
    @Test func theRewrittenMessageReadsAsTheSameParts() throws {
        let first = T.run(headers: Self.headers, body: T.bytes(Self.related), makeRewriter: Self.pixels)
        let output = try #require(first.body)
        var captured: [FramingPartRewriter] = []
        let again = T.run(headers: Self.headers, body: output) { _ in
            let capture = FramingPartRewriter(reportsChanged: false)
            captured.append(capture)
            return capture
        }
        #expect(again.partsRewritten == 0)
        #expect(captured.count == 1)
        let pixels = PixelMarkup.make("https://t.example/q/TOP") + PixelMarkup.make("https://t.example/q/BOTTOM")
        #expect(captured.first.map { String(decoding: $0.input, as: UTF8.self) } == pixels)
        #expect(String(decoding: output, as: UTF8.self).hasSuffix("\n--b\nContent-Type: image/gif\n\nGIF\n--b--\n"))
    }

    /// With no delimiter after the empty part (the body ends there) no line ending is added:
    /// there is no delimiter line to keep apart.
    @Test func anEmptyPartAtTheEndOfTheBodyGetsNoLineEnding() {
        let input = "--b\nContent-Type: text/html\n\n"
        let result = T.run(headers: Self.headers, body: T.bytes(input), makeRewriter: Self.pixels)
        let pixels = PixelMarkup.make("https://t.example/q/TOP") + PixelMarkup.make("https://t.example/q/BOTTOM")
        #expect(T.text(result) == input + pixels)
    }
}

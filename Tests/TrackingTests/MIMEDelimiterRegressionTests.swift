import Testing
import Tracking

/// A quoted-printable part whose text has the enclosing boundary split by a soft line break
/// (`--b=` then `1`): not a delimiter as it came, but decoded it is the line `--b1`, and the
/// re-encoder writes it whole, so the rewritten part would end at it and the parts after it
/// would change. The fuzzer (fuzz-message, in CI) found this on an Outlook message; the
/// input is kept in Fuzz/regressions/fuzz-message. The part is now left as it came, the
/// others are still rewritten, and the log note says why.
struct MIMEDelimiterRegressionTests {
    typealias T = MIMETestSupport

    static let message = """
        --b1
        Content-Type: text/plain; charset=us-ascii
        Content-Transfer-Encoding: quoted-printable

        See http://example.com/a
        --b=
        1
        --b1
        Content-Type: text/plain

        See http://example.com/c
        --b1--

        """

    static let headers = [(name: "Content-Type", value: "multipart/alternative; boundary=\"b1\"")]

    static func text(_ part: DisplayedPart) -> (any PartRewriter)? {
        TextRewriter(options: LinkRewriteOptions(clickTracking: true, openPixels: nil, trackingDomain: "t.example"), urls: FakeURLMaker())
    }

    @Test(arguments: [false, true])
    func aPartThatWouldGainADelimiterIsLeftAsItCame(crlf: Bool) throws {
        let input = crlf ? T.crlf(Self.message) : Self.message
        for chunkSizes in [[], [1], [5, 11]] {
            let result = T.run(headers: Self.headers, body: T.bytes(input), chunkSizes: chunkSizes, makeRewriter: Self.text)
            let output = try #require(T.text(result), "chunks \(chunkSizes)")
            // The first part exactly as it came; the second one tracked.
            let ending = crlf ? "\r\n" : "\n"
            #expect(output.contains("See http://example.com/a\(ending)--b=\(ending)1\(ending)--b1\(ending)"))
            #expect(!output.contains("http://example.com/c"))
            #expect(output.hasSuffix("--b1--\(ending)"))
            #expect(result.partsRewritten == 1)
            #expect(result.notes == ["part 1 left alone: re-encoded, a line would be a multipart delimiter"])
            // Read again, the output has the same delimiter lines as the input.
            let delimiters = { (text: String) in text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("--b1") } }
            #expect(delimiters(output) == delimiters(input))
        }
    }
}

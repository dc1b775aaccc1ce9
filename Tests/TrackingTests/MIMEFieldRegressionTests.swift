import Testing
@testable import Tracking

/// Header values the fuzzer (scripts/fuzz, fuzz-mime-field) found breaking the field-value
/// scanner; the same inputs are kept in Fuzz/regressions/fuzz-mime-field.
struct MIMEFieldRegressionTests {
    typealias T = MIMETestSupport

    /// A comment that ends the value with a backslash: the quoted-pair has nothing to quote,
    /// and the scanner once stepped past the end ("Array index is out of range").
    static let backslashComment = "text/plain (\\"

    @Test func scannerStopsAtBackslashEndingAComment() {
        let bytes = T.bytes(Self.backslashComment)
        var scanner = MIMEFieldValueScanner(bytes)
        _ = scanner.token(stoppingAt: [UInt8(ascii: "/")])
        let slash = scanner.take(UInt8(ascii: "/"))
        #expect(slash)
        _ = scanner.token(stoppingAt: [UInt8(ascii: ";")])
        scanner.skipCFWS()
        #expect(scanner.index == bytes.count)
        #expect(scanner.isAtEnd)
        let rest = scanner.token(stoppingAt: [])
        #expect(rest.isEmpty)

        var semicolons = MIMEFieldValueScanner(T.bytes("(\\"))
        semicolons.skipPastSemicolon()
        #expect(semicolons.index == 2)
    }

    @Test func contentTypeWithBackslashEndingACommentParses() {
        let parsed = MIMEContentType(contentType: T.bytes(Self.backslashComment))
        #expect(parsed == MIMEContentType(contentType: T.bytes("text/plain")))
        #expect(parsed?.type == "text" && parsed?.subtype == "plain")
        #expect(MIMEContentType(disposition: T.bytes("inline (\\")) == MIMEContentType(disposition: T.bytes("inline")))
        #expect(MIMETransferEncoding.parse([T.bytes("base64 (\\")]) == .success(.base64))
    }

    @Test func messageWithThatContentTypeIsRewritten() {
        let result = T.run(headers: [("Content-Type", Self.backslashComment)], body: T.bytes("see http://example.com/\r\n"))
        #expect(T.text(result) == "see HTTP://example.com/\r\n")
        #expect(result.partsRewritten == 1)
    }

    @Test func partWithThatContentTypeIsRewritten() {
        let body = T.crlf("--b\nContent-Type: \(Self.backslashComment)\n\nsee http://example.com/\n--b--\n")
        let result = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b")], body: T.bytes(body))
        #expect(T.text(result) == body.mimeTestReplacing("http://", "HTTP://"))
        #expect(result.partsRewritten == 1)
    }

    /// A backslash right before a fold in a quoted string once quoted the CR, so the folded
    /// value read differently from the unfolded one (and a parameter kept a line break).
    @Test func foldAfterBackslashInQuotedStringIsUnfolded() {
        let folded = MIMEContentType(contentType: T.bytes("multipart/mixed; boundary=\"a\\\r\n b\""))
        let unfolded = MIMEContentType(contentType: T.bytes("multipart/mixed; boundary=\"a\\ b\""))
        #expect(folded == unfolded)
        #expect(folded?.parameters["boundary"] == T.bytes("a b"))
        var scanner = MIMEFieldValueScanner(T.bytes("\"\\\r"))
        let value = scanner.parameterValue()
        #expect(value.isEmpty)
        #expect(scanner.isAtEnd)
    }
}

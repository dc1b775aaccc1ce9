import Testing
import Tracking

struct MIMEMultipartTests {
    typealias T = MIMETestSupport

    static let alternative = T.crlf("""
        This is a preamble with http://preamble
        --b1
        Content-Type: text/plain; charset=us-ascii

        plain http://a
        --b1
        Content-Type: text/html; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        <a href=3D"http://b">b</a>
        --b1--
        epilogue http://epilogue

        """)

    @Test func alternativeRewritesBothPartsAndCopiesTheRest() {
        let result = T.run(headers: [("Content-Type", "multipart/alternative; boundary=b1")], body: T.bytes(Self.alternative))
        let expected = Self.alternative.mimeTestReplacing("http://a", "HTTP://a").mimeTestReplacing("http://b", "HTTP://b")
        #expect(T.text(result) == expected)
        #expect(result.partsRewritten == 2)
    }

    static let nested = T.crlf("""
        --mixed
        Content-Type: multipart/related; boundary="related"

        --related
        Content-Type: multipart/alternative; boundary=alt

        --alt
        Content-Type: text/plain

        text http://one
        --alt
        Content-Type: text/html
        Content-Transfer-Encoding: base64

        PGEgaHJlZj0iaHR0cDovL3R3byI+dHdvPC9hPg==
        --alt--

        --related
        Content-Type: image/png
        Content-Transfer-Encoding: base64
        Content-ID: <x@y>

        aHR0cDovL2ltYWdl
        --related--
        --mixed
        Content-Type: message/rfc822

        Content-Type: text/html

        <a href="http://inner">inner</a>
        --mixed
        Content-Type: text/html; name="a.html"
        Content-Disposition: attachment; filename="a.html"

        <a href="http://attached">x</a>
        --mixed--

        """)

    @Test func nestedMixedRelatedAlternative() throws {
        var parts: [DisplayedPart] = []
        let result = T.run(headers: [("Content-Type", "multipart/mixed;\n\tboundary=\"mixed\"")], body: T.bytes(Self.nested)) {
            parts.append($0)
            return HTTPUppercasingPartRewriter()
        }
        #expect(parts == [DisplayedPart(kind: .plain, charset: nil, htmlIndex: nil), DisplayedPart(kind: .html, charset: nil, htmlIndex: 0)])
        let text = try #require(T.text(result))
        let newBase64 = String(decoding: Base64Codec.encode(Array("<a href=\"HTTP://two\">two</a>".utf8)), as: UTF8.self)
        let expected = Self.nested.mimeTestReplacing("http://one", "HTTP://one")
            .mimeTestReplacing("PGEgaHJlZj0iaHR0cDovL3R3byI+dHdvPC9hPg==", newBase64)
        #expect(text == expected)
        #expect(text.contains("http://inner") && text.contains("http://attached") && text.contains("aHR0cDovL2ltYWdl"))
    }

    @Test func missingFinalBoundaryStillRewritesTheLastPart() {
        let body = T.crlf("""
            --b
            Content-Type: text/plain

            first http://a
            --b
            Content-Type: text/html

            <a href="http://b">
            """)
        let result = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b")], body: T.bytes(body))
        #expect(T.text(result) == body.mimeTestUppercasingHTTP())
        #expect(result.partsRewritten == 2)
    }

    @Test func innerMultipartWithoutCloseEndsAtTheOuterDelimiter() {
        let body = T.crlf("""
            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/plain

            inner http://a
            --outer
            Content-Type: text/plain

            outer http://b
            --outer--
            """)
        let result = T.run(headers: [("Content-Type", "multipart/mixed; boundary=outer")], body: T.bytes(body))
        #expect(T.text(result) == body.mimeTestUppercasingHTTP())
        #expect(result.partsRewritten == 2)
    }

    @Test func delimitersWithTrailingWhitespaceAndSimilarBoundaries() {
        let body = T.crlf("""
            --b  
            Content-Type: multipart/alternative; boundary="b1"

            --b1\t
            Content-Type: text/plain

            --b is not a delimiter here, nor is --b1x http://a
            --b1x
            --b1--  
            --b--
            """)
        let result = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b")], body: T.bytes(body)) {
            _ in FramingPartRewriter(prefix: "[", suffix: "]")
        }
        let expected = body.mimeTestReplacing("\r\n--b is not", "\r\n[--b is not").mimeTestReplacing("--b1x\r\n--b1--", "--b1x]\r\n--b1--")
        #expect(T.text(result) == expected)
    }

    @Test func rfc2231BoundaryAndQuotedPairs() {
        let body = "--ab\"c;d\r\nContent-Type: text/plain\r\n\r\nhttp://x\r\n--ab\"c;d--\r\n"
        let continued = T.run(headers: [("Content-Type", "multipart/mixed; boundary*0=\"ab\\\"c\"; boundary*1=\";d\"")], body: T.bytes(body))
        #expect(T.text(continued) == body.mimeTestUppercasingHTTP())
        let quoted = T.run(headers: [("Content-Type", "multipart/mixed (comment); boundary=\"ab\\\"c;d\"")], body: T.bytes(body))
        #expect(T.text(quoted) == body.mimeTestUppercasingHTTP())
        let extended = T.run(headers: [("Content-Type", "multipart/mixed; boundary*=us-ascii'en'ab%22c%3Bd")], body: T.bytes(body))
        #expect(T.text(extended) == body.mimeTestUppercasingHTTP())
    }

    @Test func digestPartsDefaultToMessage() {
        let body = "--d\n\nContent-Type: text/html\n\nhttp://in-digest\n--d\nContent-Type: text/plain\n\nhttp://x\n--d--\n"
        let result = T.run(headers: [("Content-Type", "multipart/digest; boundary=d")], body: T.bytes(body))
        #expect(T.text(result) == body.mimeTestReplacing("http://x", "HTTP://x"))
    }

    @Test func signedMultipartIsLeftAloneUnlessAsked() {
        let body = "--s\nContent-Type: text/plain\n\nhttp://x\n--s\nContent-Type: application/pgp-signature\n\nSIG\n--s--\n"
        let headers = [("Content-Type", "multipart/signed; protocol=\"application/pgp-signature\"; boundary=s")]
        let left = T.run(headers: headers, body: T.bytes(body))
        #expect(left.body == nil)
        #expect(left.notes == ["part 1 left alone: multipart/signed (rewriting would break the signature)"])
        let asked = T.run(headers: headers, body: T.bytes(body), leaveSignedParts: false)
        #expect(T.text(asked) == body.mimeTestUppercasingHTTP())
    }

    @Test func malformedPartHeaderIsLeftAlone() {
        let body = "--b\nContent-Type: text/plain\nthis line has no colon\n\nhttp://x\n--b\nContent-Type: text/plain\n\nhttp://y\n--b--\n"
        let result = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b")], body: T.bytes(body))
        #expect(T.text(result) == body.mimeTestReplacing("http://y", "HTTP://y"))
        #expect(result.notes == ["part 1 left alone: malformed header block"])
    }

    @Test func duplicateContentTypes() {
        let agreeing = "--b\nContent-Type: text/plain\ncontent-type: TEXT/plain (again)\n\nhttp://x\n--b--\n"
        let result = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b")], body: T.bytes(agreeing))
        #expect(T.text(result) == agreeing.mimeTestUppercasingHTTP())
        let conflicting = "--b\nContent-Type: text/plain\nContent-Type: image/gif\n\nhttp://x\n--b--\n"
        let left = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b")], body: T.bytes(conflicting))
        #expect(left.body == nil)
        #expect(left.notes == ["part 1 left alone: conflicting Content-Type fields"])
        let top = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b"), ("Content-Type", "text/plain")], body: T.bytes(agreeing))
        #expect(top.body == nil)
    }

    @Test func boundaryNeverFound() {
        let result = T.run(headers: [("Content-Type", "multipart/mixed; boundary=missing")], body: T.bytes("--other\n\nhttp://x\n"))
        guard case .unchanged(let reason) = result.outcome else { Issue.record("rewritten"); return }
        #expect(reason == "no displayed parts")
    }

    @Test func partCutShortInsideItsHeaderAndEightBitHeaderBytes() {
        var body: [UInt8] = Array("--b\nContent-Type: text/plain\n--b\nContent-Type: text/plain; name=\"".utf8)
        body += [0xE9, 0xFF] + Array("\"\n\nhttp://x\n--b--\n".utf8)
        let result = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b")], body: body)
        let expected = body.count + 0  // same length: only "http" became "HTTP"
        #expect(result.body?.count == expected)
        #expect(result.partsRewritten == 1)
    }

    @Test func sevenBitLineOver998SwitchesThePartToQuotedPrintable() throws {
        let long = String(repeating: "x", count: 990)
        let body = T.crlf("""
            --b
            Content-Type: text/html
            Content-Transfer-Encoding: 7bit

            \(long)
            --b
            Content-Type: text/plain

            \(long)
            --b--

            """)
        let result = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b")], body: T.bytes(body)) {
            _ in FramingPartRewriter(prefix: "<a href=\"http://tracked.example/f/a/123\">")
        }
        let text = try #require(T.text(result))
        let sections = text.split(separator: "--b\r\n", omittingEmptySubsequences: false)
        #expect(sections.count == 3)
        #expect(sections[1].hasPrefix("Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"))
        #expect(sections[2].hasPrefix("Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"))
        let lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= 77 })
        let html = sections[1].split(separator: "\r\n\r\n", maxSplits: 1)[1]
        let decoded = QuotedPrintable.decode(Array(html.utf8))
        #expect(String(decoding: decoded, as: UTF8.self) == "<a href=\"http://tracked.example/f/a/123\">\(long)\r\n")
    }

    @Test func singlePartSwitchReportsTheHeaderChange() throws {
        let long = String(repeating: "y", count: 995)
        let result = T.run(headers: [("Content-Type", "text/plain"), ("Content-Transfer-Encoding", "8bit")],
                           body: T.bytes(long + "\n")) { _ in FramingPartRewriter(prefix: "http://t/1 ") }
        guard case .rewritten(let sink, let changes) = result.outcome else { Issue.record("unchanged"); return }
        let body = try sink.joined()
        #expect(changes.count == 1)
        #expect(changes.first?.name == "Content-Transfer-Encoding" && changes.first?.value == "quoted-printable")
        #expect(!body.contains(0x0D))
        #expect(QuotedPrintable.decode(body) == Array(("http://t/1 " + long + "\n").utf8))
        let short = T.run(headers: [("Content-Type", "text/plain")], body: T.bytes("a\n")) { _ in FramingPartRewriter(prefix: "http://t/1 ") }
        guard case .rewritten(_, let none) = short.outcome else { Issue.record("unchanged"); return }
        #expect(none.isEmpty)
    }

    @Test func htmlIndexCountsDisplayedHTMLParts() {
        let body = "--b\nContent-Type: text/html\n\n1\n--b\nContent-Type: text/plain\n\n2\n--b\nContent-Type: text/html\n\n3\n--b--\n"
        var indexes: [Int?] = []
        _ = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b")], body: T.bytes(body)) {
            indexes.append($0.htmlIndex)
            return nil
        }
        #expect(indexes == [0, nil, 1])
    }
}

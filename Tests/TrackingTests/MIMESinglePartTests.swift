import Testing
import Tracking

struct MIMESinglePartTests {
    typealias T = MIMETestSupport

    @Test func rewrites7bitHTML() {
        let result = T.run(headers: [("Content-Type", "text/html; charset=utf-8")],
                           body: T.bytes("<a href=\"http://x\">x</a>\r\n"))
        #expect(T.text(result) == "<a href=\"HTTP://x\">x</a>\r\n")
        #expect(result.partsRewritten == 1)
        #expect(result.statistics.linksTracked == 1)
        guard case .rewritten(_, let changes) = result.outcome else { Issue.record("not rewritten"); return }
        #expect(changes.isEmpty)
    }

    @Test func missingContentTypeIsPlainText() {
        var seen: [DisplayedPart] = []
        let result = T.run(headers: [("Subject", "hi")], body: T.bytes("go to http://x\n")) { part in
            seen.append(part)
            return HTTPUppercasingPartRewriter()
        }
        #expect(T.text(result) == "go to HTTP://x\n")
        #expect(seen == [DisplayedPart(kind: .plain, charset: nil, htmlIndex: nil)])
    }

    @Test func rewritesQuotedPrintableAndReencodes() {
        let body = "see http://example.com/?a=3Db&c=3D=\r\nd\r\nline two =E9t=C3=A9 \r\n"
        let result = T.run(headers: [("content-type", "text/plain; charset=\"UTF-8\""),
                                     ("Content-Transfer-Encoding", " Quoted-Printable ")],
                           body: T.bytes(body))
        // Decoded, "http" upper-cased, encoded again; the soft break is gone (line fits).
        #expect(T.text(result) == "see HTTP://example.com/?a=3Db&c=3Dd\r\nline two =E9t=C3=A9=20\r\n")
    }

    @Test func rewritesBase64AndKeepsLineEnding() throws {
        let html = String(repeating: "<p>visit http://example.com/page</p>", count: 4)
        let encoded = Base64Codec.encode(Array(html.utf8), lineEnding: .lf) + [0x0A]
        let result = T.run(headers: [("Content-Type", "text/html"), ("Content-Transfer-Encoding", "base64 (comment)")],
                           body: encoded)
        let body = try #require(result.body)
        #expect(body.last == 0x0A && !body.contains(0x0D))
        let lines = body.split(separator: 0x0A)
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        let decoded = try Base64Codec.decode(body)
        #expect(String(decoding: decoded, as: UTF8.self) == html.mimeTestUppercasingHTTP())
    }

    @Test func unchangedWhenTheRewriterChangesNothing() {
        let result = T.run(headers: [("Content-Type", "text/html")], body: T.bytes("<p>hello</p>\r\n"))
        guard case .unchanged(let reason) = result.outcome else { Issue.record("rewritten"); return }
        #expect(reason == nil)
        let declined = T.run(headers: [("Content-Type", "text/html")], body: T.bytes("http://x\r\n")) { _ in nil }
        #expect(declined.body == nil)
        let unchanged = T.run(headers: [("Content-Type", "text/html"), ("Content-Transfer-Encoding", "base64")],
                              body: T.bytes("aHR0cDovL3g=\r\n")) { _ in FramingPartRewriter(reportsChanged: false) }
        #expect(unchanged.body == nil)
    }

    @Test func nonTextMessageHasNoDisplayedParts() {
        let result = T.run(headers: [("Content-Type", "application/pdf")], body: T.bytes("http://x\r\n"))
        guard case .unchanged(let reason) = result.outcome else { Issue.record("rewritten"); return }
        #expect(reason == "no displayed parts")
    }

    @Test(arguments: ["x-uuencode", "6bit", "quoted printable", "8 bit", "text/html", "\"base64\"", "", ";base64"])
    func unknownTransferEncodingLeavesThePartAlone(_ encoding: String) {
        let result = T.run(headers: [("Content-Type", "text/html"), ("Content-Transfer-Encoding", encoding)],
                           body: T.bytes("<a href=\"http://x\">\r\n"))
        #expect(result.body == nil)
        #expect(result.notes.count == 1)
        #expect(result.notes.first?.contains("Content-Transfer-Encoding") == true)
    }

    @Test(arguments: ["utf-16", "UTF-32LE", "hz-gb-2312", "shift_jis", "big5", "gbk", "gb18030", "x-unknown", "utf-7"])
    func nonASCIICompatibleCharsetLeavesThePartAlone(_ charset: String) {
        let result = T.run(headers: [("Content-Type", "text/html; charset=\(charset)")], body: T.bytes("http://x\r\n"))
        #expect(result.body == nil)
        #expect(result.notes == ["part 1 left alone: charset \(charset.lowercased()) is not ASCII-compatible"])
    }

    @Test(arguments: ["us-ascii", "UTF-8", "iso-8859-15", "windows-1252", "koi8-r", "euc-jp", "gb2312", "tis-620"])
    func asciiCompatibleCharsetIsRewritten(_ charset: String) {
        var seen: DisplayedPart?
        let result = T.run(headers: [("Content-Type", "text/plain;\n charset=\"\(charset)\"")], body: T.bytes("http://x\r\n")) {
            seen = $0
            return HTTPUppercasingPartRewriter()
        }
        #expect(T.text(result) == "HTTP://x\r\n")
        #expect(seen?.charset == charset.lowercased())
    }

    @Test func badBase64LeavesThePartAsItCame() {
        let result = T.run(headers: [("Content-Type", "text/plain"), ("Content-Transfer-Encoding", "base64")],
                           body: T.bytes("aHR0cDovL3g=\r\n!!!!\r\n")) { _ in FramingPartRewriter(prefix: "X") }
        #expect(result.body == nil)
        #expect(result.notes.first?.contains("bad base64") == true)
    }

    @Test func attachmentDispositionIsNotDisplayed() {
        let attached = T.run(headers: [("Content-Type", "text/html"), ("Content-Disposition", "attachment; filename=a.html")],
                             body: T.bytes("http://x\r\n"))
        #expect(attached.body == nil)
        let inline = T.run(headers: [("Content-Type", "text/html; name=a.html"), ("Content-Disposition", "INLINE; filename=a.html")],
                           body: T.bytes("http://x\r\n"))
        #expect(T.text(inline) == "HTTP://x\r\n")
    }

    @Test func bodyWithoutFinalLineEnding() {
        let result = T.run(headers: [], body: T.bytes("a http://x")) { _ in FramingPartRewriter(prefix: "<", suffix: ">") }
        #expect(T.text(result) == "<a http://x>")
    }
}

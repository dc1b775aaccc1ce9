import Foundation
import Testing
@testable import Tracking

@Suite("ISO-2022 parts: links tracked in ASCII state only, every escape kept")
struct ISO2022RewriteTests {
    typealias T = MIMETestSupport

    @Test("a text URL in ASCII state is tracked, and ends where a JIS run starts")
    func textURLEndsAtEscape() {
        // "詳細はhttp://example.com/をご覧ください" as Python's iso2022_jp codec writes it.
        let input = "\(ISO.jis)>\\:Y$O\(ISO.ascii)http://example.com/\(ISO.jis)$r$4Mw$/$@$5$$\(ISO.ascii)\r\n"
        let run = ISO.rewrite(input, type: "text/plain")
        #expect(run.urls.links.map(\.target) == ["http://example.com/"])
        #expect(run.text == input.mimeTestReplacing("http://example.com/", ISO.click1))
    }

    @Test("bytes of a JIS run that spell a URL or markup are not read as such")
    func lookalikesInsideJISRunsAreOpaque() {
        let text = ISO.rewrite("\(ISO.jis)http://x.example/ab\(ISO.ascii)\r\n", type: "text/plain")
        #expect(text.result.body == nil)
        #expect(text.urls.links.isEmpty)
        let html = ISO.rewrite("<p>\(ISO.jis)<a href=\"http://x.example/\">ab</a>\(ISO.ascii)</p>\r\n")
        #expect(html.result.body == nil)
        #expect(html.urls.links.isEmpty)
    }

    @Test("an HTML link is tracked, and the pixels go after <body> and before </body>, in ASCII state")
    func htmlLinkAndPixels() {
        let input = "<html><body>\(ISO.link)<a href=\"http://example.com/\">\(ISO.link)</a>\r\n</body></html>\r\n"
        let run = ISO.rewrite(input, pixels: .both)
        let expected = "<html><body>\(ISO.top)\(ISO.link)<a href=\"\(ISO.click1)\">\(ISO.link)</a>\r\n\(ISO.bottom)</body></html>\r\n"
        #expect(run.text == expected)
        #expect(run.result.statistics.linksTracked == 1)
        #expect(run.result.statistics.pixels == 2)
    }

    @Test("an href holding a JIS run is left alone and counted as stateful_charset")
    func hrefWithJISTextIsLeftAlone() {
        let run = ISO.rewrite("<a href=\"http://example.jp/\(ISO.link)\">x</a> <a href=\"mailto:\(ISO.link)\">y</a>\r\n")
        #expect(run.result.body == nil)
        #expect(run.urls.links.isEmpty)
        #expect(run.result.statistics.linksSkipped == ["stateful_charset": 1, "not_http": 1])
    }

    @Test("a Japanese link name is dropped (Raw URL), and the annotation removed with its escapes")
    func annotationWithJISText() {
        let input = "<a href=\"http://example.com/\" data-msys-linkname=\"\(ISO.link)\">x</a>\r\n"
        let run = ISO.rewrite(input)
        #expect(run.text == "<a href=\"\(ISO.click1)\">x</a>\r\n")
        #expect(run.urls.links.first?.name == nil)
        let text = ISO.rewrite("see http://example.com/ [[data-msys-linkname=\"\(ISO.link)\"]]\r\n", type: "text/plain")
        #expect(text.text == "see \(ISO.click1)\r\n")
        #expect(text.urls.links.first?.name == nil)
    }

    @Test("a removed annotation that ended in JIS-Roman: the designation is written again where it matters")
    func removedRangeEndingInRomanIsRepaired() {
        let input = "<a href=\"http://example.com/\" data-msys-linkname=\"\(ISO.jis)%j\(ISO.roman)\">\\1~\(ISO.ascii)</a>\r\n"
        let run = ISO.rewrite(input)
        let output = run.text
        #expect(output == "<a href=\"\(ISO.click1)\">\(ISO.roman)\\1~\(ISO.ascii)</a>\r\n")
        // The decoded text is the input's, with the link and the annotation replaced.
        let reference = "<a href=\"\(ISO.click1)\">\(ISO.roman)\\1~\(ISO.ascii)</a>\r\n"
        #expect(ISO.characters(output ?? "") == ISO.characters(reference))
    }

    @Test("JIS-Roman is ASCII for markup and URLs, except YEN SIGN and OVERLINE, where a URL ends")
    func romanState() {
        let input = "\(ISO.roman)see http://example.com/a~b and http://example.com/c\\d\(ISO.ascii)\r\n"
        let run = ISO.rewrite(input, type: "text/plain")
        #expect(run.urls.links.map(\.target) == ["http://example.com/a", "http://example.com/c"])
        #expect(run.text == "\(ISO.roman)see \(ISO.click1)~b and https://t.example/f/a/T2\\d\(ISO.ascii)\r\n")
    }

    @Test("a pixel that would land in a JIS run that never ends is wrapped in ESC ( B")
    func pixelAfterUnfinishedJISRun() {
        let run = ISO.rewrite("<p>\(ISO.jis)%j%s%/\r\n", pixels: .both)
        #expect(run.text == "\(ISO.top)<p>\(ISO.jis)%j%s%/\(ISO.ascii)\(ISO.bottom)\r\n")
        let withoutPixels = (run.text ?? "").mimeTestReplacing(ISO.top, "").mimeTestReplacing(ISO.bottom, "")
        #expect(ISO.characters(withoutPixels) == ISO.characters("<p>\(ISO.jis)%j%s%/\r\n"))
    }

    @Test("an ESC at the end of a part, or followed by junk, is no trap; the part is still rewritten")
    func malformedEscapes() {
        for input in ["<p>x</p>\u{1B}", "<p>x</p>\u{1B}$", "<a href=\"http://a.example/\">a</a>\u{1B}\r\n<a href=\"http://b.example/\">b</a>"] {
            let run = ISO.rewrite(input, pixels: .both)
            let text = run.text
            #expect(text?.hasPrefix(ISO.top) == true)
            #expect(text?.hasSuffix(ISO.bottom) == true)
        }
        // After ESC and a control byte nothing is plain until G0 is designated again.
        let lost = ISO.rewrite("\u{1B}\r\nhttp://a.example/ \(ISO.ascii)http://b.example/\r\n", type: "text/plain")
        #expect(lost.urls.links.map(\.target) == ["http://b.example/"])
    }

    @Test("an 8-bit byte in an ISO-2022 part leaves it alone, and the log note says why")
    func eightBitByte() {
        let run = ISO.message(headers: [("Content-Type", "text/plain; charset=ISO-2022-JP")],
                              body: Array("http://example.com/ \u{E9}\r\n".utf8))
        #expect(run.result.body == nil)
        #expect(run.result.notes == ["part 1 left alone: an 8-bit byte in iso-2022-jp text"])
    }

    @Test("a part left alone for an 8-bit byte late in it counts none of the links it had rewritten")
    func lateEightBitByteCountsNothing() {
        let early = String(repeating: "see http://example.com/ \(ISO.link)\r\n", count: 1000)  // past one decode batch
        let run = ISO.message(headers: [("Content-Type", "text/plain; charset=iso-2022-jp")],
                              body: Array((early + "\u{E9}\r\n").utf8))
        #expect(run.result.body == nil)
        #expect(run.urls.links.count > 0)  // the rewriter had seen links before the bad byte
        #expect(run.result.statistics == RewriteStatistics())
        #expect(run.result.notes == ["part 1 left alone: an 8-bit byte in iso-2022-jp text"])
    }

    @Test("quoted-printable and base64 ISO-2022-JP parts are decoded, rewritten and encoded again")
    func encodedParts() throws {
        let html = "<html><body>\(ISO.link)<a href=\"http://example.com/\">\(ISO.link)</a></body></html>"
        let plain = try #require(ISO.rewrite(html + "\r\n", pixels: .both).text)
        let qp = QuotedPrintable.encode(Array(html.utf8), lineEnding: .crlf)
        let qpRun = ISO.message(headers: [("Content-Type", "text/html; charset=iso-2022-jp"),
                                          ("Content-Transfer-Encoding", "quoted-printable")], body: qp + [13, 10], pixels: .both)
        let qpOut = try #require(qpRun.result.body)
        #expect(String(decoding: qpOut, as: UTF8.self).contains("=1B$B%j%s%/=1B(B"))
        var decoded: [UInt8] = []
        var decoder = QuotedPrintable.Decoder()
        qpOut.withUnsafeBytes { decoder.decode($0, into: &decoded) }
        decoder.finish(into: &decoded)
        #expect(String(decoding: decoded, as: UTF8.self) == plain)

        let b64 = Data(html.utf8).base64EncodedString() + "\r\n"
        let b64Run = ISO.message(headers: [("Content-Type", "text/html; charset=iso-2022-jp"),
                                           ("Content-Transfer-Encoding", "base64")], body: Array(b64.utf8), pixels: .both)
        let b64Out = String(decoding: try #require(b64Run.result.body), as: UTF8.self)
        let b64Decoded = try #require(Data(base64Encoded: b64Out, options: .ignoreUnknownCharacters))
        #expect(String(decoding: b64Decoded, as: UTF8.self) + "\r\n" == plain)
    }

    @Test("a message cut into two chunks at every position, or byte by byte, comes out the same")
    func chunkSplitsAtEveryPosition() throws {
        let message = """
            Content-Type: multipart/alternative; boundary=b\r
            \r
            --b\r
            Content-Type: text/plain; charset=iso-2022-jp\r
            \r
            \(ISO.jis)>\\:Y$O\(ISO.ascii)http://example.com/t\(ISO.jis)$r\(ISO.ascii)\r
            --b\r
            Content-Type: text/html; charset=iso-2022-jp\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            <body>=1B$B%j%s=\r
            %/=1B(B<a href=3D"http://example.com/h">=1B$(D+!=1B(B</a>=1B(Jx\\</body>\r
            --b--\r

            """
        let (headers, body) = T.split(message: Array(message.utf8))
        let whole = ISO.message(headers: headers, body: body, pixels: .both)
        let expected = try #require(whole.result.body)
        #expect(whole.result.statistics.linksTracked == 2)
        #expect(whole.result.statistics.pixels == 2)
        for cut in 1..<body.count {
            let run = ISO.message(headers: headers, body: body, pixels: .both, chunkSizes: [cut, body.count])
            #expect(run.result.body == expected, "cut at \(cut)")
        }
        #expect(ISO.message(headers: headers, body: body, pixels: .both, chunkSizes: [1]).result.body == expected)
    }

    @Test("ISO-2022-KR: SO/SI runs are opaque, a line feed ends SO, the designation line is kept")
    func iso2022KR() {
        let input = "\u{1B}$)C\r\n\(ISO.so)*\"http\(ISO.si) http://a.example/ \(ISO.so)*\"\nhttp://b.example/\r\n"
        let run = ISO.rewrite(input, type: "text/plain", charset: "iso-2022-kr")
        #expect(run.urls.links.map(\.target) == ["http://a.example/", "http://b.example/"])
        #expect(run.text == input.mimeTestReplacing("http://a.example/", ISO.click1)
            .mimeTestReplacing("http://b.example/", "https://t.example/f/a/T2"))
    }

    @Test(arguments: ["utf-16", "utf-7", "hz-gb-2312"])
    func stillUnsupportedCharsetsSayWhy(_ charset: String) {
        let run = ISO.rewrite("http://example.com/\r\n", type: "text/plain", charset: charset)
        #expect(run.result.body == nil)
        #expect(run.result.notes == ["part 1 left alone: charset \(charset) is not ASCII-compatible"])
    }

    @Test(arguments: ["iso-2022-jp", "ISO-2022-JP-2", "iso-2022-jp-3", "iso-2022-kr", "iso-2022-cn", "csISO2022JP", "iso2022_jp"])
    func iso2022NamesAreHandled(_ charset: String) {
        let run = ISO.rewrite("http://example.com/\r\n", type: "text/plain", charset: charset)
        #expect(run.text == "\(ISO.click1)\r\n")
    }
}

@Suite("ISO-2022 state")
struct ISO2022StateTests {
    private func plain(_ text: String) -> String {
        var state = ISO2022State()
        return String(Array(text.utf8).map { state.step($0) ? "a" : "x" })
    }

    @Test func escapesShiftsAndRuns() {
        #expect(plain("ab\u{1B}$B$\"$\"\u{1B}(Bcd") == "aaxxxxxxxxxxaa")
        #expect(plain("\u{1B}(J\\~a") == "xxxxxa")
        #expect(plain("\u{1B}$(D!!\u{1B}(Ba") == "xxxxxxxxxa")
        #expect(plain("\u{0E}ab\u{0F}ab") == "xxxxaa")
        #expect(plain("\u{0E}ab\nab") == "xxxxaa")
        #expect(plain("\u{1B}(I12\u{1B}(B3") == "xxxxxxxxa")
    }

    @Test func singleShifts() {
        // ISO-2022-JP-2: ESC . A puts ISO-8859-1's upper half in G2; ESC N takes one byte from it.
        #expect(plain("\u{1B}.A\u{1B}NAb") == "xxxxxxa")
        // CNS plane 2 in G2 is double-byte.
        #expect(plain("\u{1B}$*H\u{1B}NABc") == "xxxxxxxxa")
        // A single shift with nothing designated leaves the state unknown until G0 is designated.
        #expect(plain("\u{1B}Nab\u{1B}(Bc") == "xxxxxxxa")
    }

    @Test func malformedEscapesLoseTheStateUntilADesignation() {
        #expect(plain("\u{1B}\nab\u{1B}(Jc") == "xxxxxxxa")
        #expect(plain("\u{1B}$((((ab\u{1B}(Bc") == "xxxxxxxxxxxa")
        #expect(plain("\u{1B}&@a") == "xxxa")
    }
}

@Suite("Content-Transfer-Encoding as clients read it")
struct TransferEncodingLeniencyTests {
    @Test(arguments: [
        ("7bit", MIMETransferEncoding.sevenBit), ("7bit;", .sevenBit), (" 7BIT ", .sevenBit), ("7bits", .sevenBit),
        ("7-bit", .sevenBit), ("8bits", .eightBit), ("8-bit", .eightBit), ("8bit (comment)", .eightBit),
        ("Quoted-Printable", .quotedPrintable), ("quoted-printable;", .quotedPrintable),
        ("quoted-printable; charset=x", .quotedPrintable), ("base64 ", .base64), ("\tBASE64", .base64),
        ("base64, 7bit", .base64), ("binary", .binary), ("base64\r\n ", .base64),
    ])
    func readAsMajorClientsDo(_ value: String, _ expected: MIMETransferEncoding) {
        #expect(MIMETransferEncoding.parse([Array(value.utf8)]) == .success(expected))
    }

    @Test(arguments: ["x-uuencode", "quoted printable", "8 bit", "6bit", "\"base64\"", "", ";", "base 64", "qp", "base64x"])
    func unknownOnesLeaveThePartAlone(_ value: String) {
        guard case .failure(.unknownTransferEncoding) = MIMETransferEncoding.parse([Array(value.utf8)]) else {
            Issue.record("\(value) was understood")
            return
        }
    }

    @Test func fieldsAgreeWhenTheyReadTheSame() {
        #expect(MIMETransferEncoding.parse([Array("7bit;".utf8), Array("7BIT".utf8)]) == .success(.sevenBit))
        #expect(MIMETransferEncoding.parse([Array("7bit".utf8), Array("base64".utf8)])
            == .failure(.conflictingFields("Content-Transfer-Encoding")))
    }

    @Test("the original header is kept byte for byte when the part is rewritten")
    func headerKept() throws {
        let message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n"
            + "Content-Transfer-Encoding: Quoted-Printable ;\r\n\r\nsee http://example.com/=\r\nx\r\n--b--\r\n"
        let (headers, body) = MIMETestSupport.split(message: Array(message.utf8))
        let run = ISO.message(headers: headers, body: body)
        let out = String(decoding: try #require(run.result.body), as: UTF8.self)
        #expect(out.contains("Content-Transfer-Encoding: Quoted-Printable ;\r\n\r\nsee \(ISO.click1)\r\n--b--"))
        #expect(run.urls.links.map(\.target) == ["http://example.com/x"])
    }
}

@Suite("ISO-2022 parts, random documents")
struct ISO2022RandomTests {
    private static let fragments = [
        "<p>", "</p>", "<a href=\"http://example.com/x\">", "<a href=\"https://example.com/y?q=1\">", "</a>",
        "http://example.org/t", " https://example.net/u ", " ", "\r\n", "\n", "\(ISO.jis)%j%s", "\(ISO.jis)<a", ISO.ascii,
        ISO.roman, "\\", "~", ISO.so, ISO.si, "\u{1B}$)C", "<body>", "</body>", "\u{1B}", "$B", "(", "text", "\u{1B}$(D",
        "href=\"", "\"", ">", "\u{1B}.A\u{1B}N", "a",
    ]

    @Test("chunking never changes the output; the decoded text outside links and pixels never changes")
    func randomDocuments() {
        var random = SplitMix64(seed: 2022)
        var checked = 0
        defer { #expect(checked > 150, "too few documents with modelled escapes: \(checked)") }
        for round in 0..<300 {
            let count = Int(random.next() % 40)
            // Every third document may hold lone ESCs and single shifts (malformed or unmodelled).
            let pool = round % 3 == 0 ? Self.fragments : Self.fragments.filter { $0 != "\u{1B}" && !$0.contains("\u{1B}N") }
            let input = (0..<count).map { _ in pool[Int(random.next() % UInt64(pool.count))] }.joined()
            let type = round % 2 == 0 ? "text/html" : "text/plain"
            let whole = ISO.rewrite(input, type: type, pixels: .both)
            let pieces = (0..<4).map { _ in Int(random.next() % 9) + 1 }
            let cut = ISO.rewrite(input, type: type, pixels: .both, chunkSizes: pieces)
            #expect(cut.text == whole.text, "round \(round): chunks \(pieces) changed the output of \(input.debugDescription)")
            guard let output = whole.text else { continue }
            // Every pixel and tracked URL is read in ASCII (JIS-Roman but for 0x5C and 0x7E).
            if let outChars = ISO.characters(output) {
                let read = outChars.map { $0.hasPrefix("(J:") && $0 != "(J:92" && $0 != "(J:126" ? "B:" + $0.dropFirst(3) : $0 }
                    .joined(separator: ",")
                let inserted = [ISO.top, ISO.bottom] + whole.urls.links.indices.map { "https://t.example/f/a/T\($0 + 1)" }
                for text in inserted where output.contains(text) {
                    #expect(read.contains(text.utf8.map { "B:\($0)" }.joined(separator: ",")),
                            "round \(round): \(text.prefix(30)) is not read as ASCII in \(output.debugDescription)")
                }
            }
            // Put each link's target back where its tracked URL is, and take the pixels out.
            var restored = output.mimeTestReplacing(ISO.top, "").mimeTestReplacing(ISO.bottom, "")
            for (n, link) in whole.urls.links.enumerated().reversed() {
                restored = restored.mimeTestReplacing("https://t.example/f/a/T\(n + 1)", link.target)
            }
            // Inputs with escapes the test's reading does not model are checked for chunking only.
            guard let expected = ISO.characters(input) else { continue }
            checked += 1
            #expect(ISO.characters(restored) == expected, "round \(round): text changed for \(input.debugDescription)")
        }
    }
}

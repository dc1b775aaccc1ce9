import Testing
import Tracking

@Suite("HTML rewriter: open pixels")
struct HTMLRewriterPixelTests {
    static let document = "<!DOCTYPE html>\r\n<html><head><title>T</title></head>\r\n<body class=\"b\">\r\nHi\r\n</body>\r\n</html>\r\n"

    @Test("the pixel markup: a hidden 1x1 image, URL escaped")
    func markup() {
        let result = Rewrite.html("<body></body>", pixels: .top, suffix: "?a=1&b=2")
        #expect(String(decoding: result.bytes, as: UTF8.self)
            == "<body>" + PixelMarkup.make("https://t.example/q/TOP?a=1&amp;b=2") + "</body>")
    }

    @Test("both: after <body ...> and before </body>")
    func both() {
        let result = Rewrite.html(Self.document, pixels: .both)
        #expect(result.text == "<!DOCTYPE html>\r\n<html><head><title>T</title></head>\r\n<body class=\"b\">[TOP]\r\nHi\r\n[BOTTOM]</body>\r\n</html>\r\n")
        #expect(result.opens == [true, false])
        #expect(result.statistics == .counts(pixels: 2))
        #expect(result.changed)
    }

    @Test("top only and bottom only")
    func topOrBottom() {
        #expect(Rewrite.html(Self.document, pixels: .top).text
            == "<!DOCTYPE html>\r\n<html><head><title>T</title></head>\r\n<body class=\"b\">[TOP]\r\nHi\r\n</body>\r\n</html>\r\n")
        let bottom = Rewrite.html(Self.document, pixels: .bottom)
        #expect(bottom.text == "<!DOCTYPE html>\r\n<html><head><title>T</title></head>\r\n<body class=\"b\">\r\nHi\r\n[BOTTOM]</body>\r\n</html>\r\n")
        #expect(bottom.opens == [false])
    }

    @Test("without any tags: at the start and the end")
    func fragment() {
        #expect(Rewrite.html("<p>Hi</p>\n", pixels: .both).text == "[TOP]<p>Hi</p>\n[BOTTOM]")
        #expect(Rewrite.html("Hi", pixels: .both).text == "[TOP]Hi[BOTTOM]")
        #expect(Rewrite.html("", pixels: .both).text == "[TOP][BOTTOM]")
    }

    @Test("without <body>: the top pixel goes where the body starts, after head material; the bottom before </html>")
    func impliedBody() {
        let input = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><style>p{}</style></head>\n<table><tr><td>Hi</td></tr></table>\n</html>\n"
        #expect(Rewrite.html(input, pixels: .both).text
            == "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><style>p{}</style></head>\n[TOP]<table><tr><td>Hi</td></tr></table>\n[BOTTOM]</html>\n")
        #expect(Rewrite.html("<html>\n  Hello", pixels: .top).text == "<html>\n  [TOP]Hello")
    }

    @Test("</body> inside a comment or a script does not count; only the first </body> does")
    func bodyEndInComment() {
        let input = "<body>A<!-- </body> --><script>'</body>'</script>B</body>C</body>"
        #expect(Rewrite.html(input, pixels: .bottom).text == "<body>A<!-- </body> --><script>'</body>'</script>B[BOTTOM]</body>C</body>")
    }

    @Test("<BODY> in upper case")
    func upperCaseBody() {
        #expect(Rewrite.html("<HTML><BODY BGCOLOR=white>x</BODY></HTML>", pixels: .both).text
            == "<HTML><BODY BGCOLOR=white>[TOP]x[BOTTOM]</BODY></HTML>")
    }

    @Test("no pixel where it would be hidden: in an unterminated comment or after <plaintext>")
    func hiddenEnd() {
        #expect(Rewrite.html("<body>x<!-- open", pixels: .both).text == "<body>[TOP]x<!-- open")
        #expect(Rewrite.html("<body><plaintext>x", pixels: .both).text == "<body>[TOP]<plaintext>x")
    }

    @Test("pixels and links together, in a conditional comment only links")
    func pixelsAndLinks() {
        let result = Rewrite.html("<body><!--[if mso]><body><a href=\"https://x.example/\">x</a></body><![endif]--></body>", pixels: .both)
        #expect(result.text == "<body>[TOP]<!--[if mso]><body><a href=\"https://t.example/f/a/T1\">x</a></body><![endif]-->[BOTTOM]</body>")
    }
}

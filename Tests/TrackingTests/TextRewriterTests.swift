import Testing
import Tracking

@Suite("Text rewriter")
struct TextRewriterTests {
    @Test("http and https URLs, any case, become click URLs")
    func basic() {
        let result = Rewrite.text("Visit https://shop.example/a?b=1&c=2 or HTTP://Shop.Example/B today.\r\n")
        #expect(result.text == "Visit https://t.example/f/a/T1 or https://t.example/f/a/T2 today.\r\n")
        #expect(result.targets == ["https://shop.example/a?b=1&c=2", "HTTP://Shop.Example/B"])
        #expect(result.statistics == .counts(tracked: 2))
    }

    @Test("trailing sentence punctuation and quotes are not part of the URL")
    func trailingPunctuation() {
        let result = Rewrite.text("See https://x.example/a. Then https://x.example/b, https://x.example/c!? 'https://x.example/d' https://x.example/e...")
        #expect(result.targets == ["https://x.example/a", "https://x.example/b", "https://x.example/c", "https://x.example/d", "https://x.example/e"])
        #expect(result.text == "See https://t.example/f/a/T1. Then https://t.example/f/a/T2, https://t.example/f/a/T3!? "
            + "'https://t.example/f/a/T4' https://t.example/f/a/T5...")
    }

    @Test("a closing bracket is part of the URL only when an opening one balances it")
    func brackets() {
        let result = Rewrite.text("(see https://en.wikipedia.org/wiki/Foo_(bar)) [https://x.example/a] {https://x.example/{{id}}}")
        #expect(result.targets == ["https://en.wikipedia.org/wiki/Foo_(bar)", "https://x.example/a", "https://x.example/{{id}}"])
        #expect(result.text == "(see https://t.example/f/a/T1) [https://t.example/f/a/T2] {https://t.example/f/a/T3}")
    }

    @Test("user info with @ is part of the URL; a bare address is not a URL")
    func atSign() {
        let result = Rewrite.text("https://user:pw@x.example/p@1 and mail me at user@x.example.")
        #expect(result.targets == ["https://user:pw@x.example/p@1"])
    }

    @Test("<URL> keeps its angle brackets, and its last character")
    func angleBrackets() {
        let result = Rewrite.text("Go to <https://x.example/a.> or <URL:https://x.example/b>.")
        #expect(result.text == "Go to <https://t.example/f/a/T1> or <URL:https://t.example/f/a/T2>.")
        #expect(result.targets == ["https://x.example/a.", "https://x.example/b"])
    }

    @Test("[[data-msys-...]] annotations are honoured and removed, with or without a space")
    func annotations() {
        let result = Rewrite.text("""
            Shop https://x.example/a [[data-msys-linkname="Spring sale"]][[data-msys-sublink="shop"]] now.
            Bye https://x.example/u[[data-msys-unsubscribe="1"]].
            Skip https://x.example/s [[data-msys-clicktrack="0"]] here.
            """)
        #expect(result.text == """
            Shop https://t.example/f/a/T1 now.
            Bye https://t.example/f/a/T2.
            Skip https://x.example/s here.
            """)
        #expect(result.links == [
            FoundLink(target: "https://x.example/a", name: "Spring sale", sublink: "shop"),
            FoundLink(target: "https://x.example/u", unsubscribe: true),
        ])
        #expect(result.statistics == .counts(tracked: 2, skipped: ["opted_out": 1]))
    }

    @Test("a malformed annotation is text, and a URL inside it is still found")
    func malformedAnnotation() {
        let result = Rewrite.text(#"https://x.example/a [[data-msys-linkname="x https://x.example/b"#)
        #expect(result.text == #"https://t.example/f/a/T1 [[data-msys-linkname="x https://t.example/f/a/T2"#)
        #expect(Rewrite.text("https://x.example/a  [[data-msys-linkname=\"x\"]]").text
            == "https://t.example/f/a/T1  [[data-msys-linkname=\"x\"]]")
    }

    @Test("with click tracking off, annotations still go and URLs stay")
    func clickTrackingOff() {
        let result = Rewrite.text(#"https://x.example/a [[data-msys-linkname="n"]] b"#, click: false)
        #expect(result.text == "https://x.example/a b")
        #expect(result.changed)
        #expect(result.statistics == RewriteStatistics())
        #expect(!Rewrite.text("https://x.example/a b", click: false).changed)
    }

    @Test("template braces are part of the URL; brace macros become braces")
    func braces() {
        let result = Rewrite.text("https://x.example/?u={{user}}&v=1 {{opening_double_curly()}}x{{closing_double_curly()}}")
        #expect(result.targets == ["https://x.example/?u={{user}}&v=1"])
        #expect(result.text == "https://t.example/f/a/T1 {{x}}")
    }

    @Test("a URL broken across lines is not joined")
    func lineBreak() {
        let result = Rewrite.text("https://x.example/a\r\nb https://x.example/c\n")
        #expect(result.text == "https://t.example/f/a/T1\r\nb https://t.example/f/a/T2\n")
        #expect(result.targets == ["https://x.example/a", "https://x.example/c"])
    }

    @Test("not URLs: other schemes, a scheme inside a word, nothing after ://")
    func notURLs() {
        let input = "mailto:a@x.example tel:+1 xhttps://x.example/ http:// https://. ftp://x.example/ http:/x"
        let result = Rewrite.text(input)
        #expect(result.bytes == Array(input.utf8))
        #expect(!result.changed)
        #expect(result.statistics == RewriteStatistics())
    }

    @Test("links on the tracking domain are left")
    func trackingDomain() {
        let result = Rewrite.text("https://t.example/f/a/xyz")
        #expect(result.text == "https://t.example/f/a/xyz")
        #expect(result.statistics == .counts(skipped: ["tracking_domain": 1]))
    }

    @Test("UTF-8 letters stay in the URL; Unicode quotes, spaces and 8-bit bytes end it")
    func nonASCII() {
        let result = Rewrite.text("https://x.example/café “https://x.example/q” https://x.example/a\u{A0}b https://x.example/z。")
        #expect(result.targets == ["https://x.example/café", "https://x.example/q", "https://x.example/a", "https://x.example/z"])
        let latin1 = Rewrite.run(Array("https://x.example/caf".utf8) + [0xE9, 0x20], .text)
        #expect(latin1.targets == ["https://x.example/caf"])
        #expect(latin1.bytes == Array("https://t.example/f/a/T1".utf8) + [0xE9, 0x20])
    }

    @Test("refused links are left and counted with the maker's reason")
    func refused() {
        let result = Rewrite.text("https://x.example/1 https://x.example/2 https://x.example/3", refuseEvery: 3)
        #expect(result.text == "https://t.example/f/a/T1 https://t.example/f/a/T2 https://x.example/3")
        #expect(result.statistics == .counts(tracked: 2, skipped: ["limit": 1]))
    }

    @Test("text without URLs is unchanged")
    func noURLs() {
        let input = "Hello,\r\nhttp is a protocol; see h t t p.\r\n\u{0}\u{FF}"
        let result = Rewrite.text(input)
        #expect(result.bytes == Array(input.utf8))
        #expect(!result.changed)
    }
}

import Testing
import Tracking

@Suite("HTML rewriter: links")
struct HTMLRewriterLinkTests {
    @Test("&amp; in a query string: the target is decoded, the new value escaped")
    func ampersandEntity() {
        let result = Rewrite.html(#"<a href="https://shop.example/?a=1&amp;b=2">Shop</a>"#)
        #expect(result.targets == ["https://shop.example/?a=1&b=2"])
        #expect(result.text == #"<a href="https://t.example/f/a/T1">Shop</a>"#)
        #expect(result.statistics == .counts(tracked: 1))
        #expect(result.changed)
    }

    @Test("numeric references &#38; and &#x26; are decoded")
    func numericReferences() {
        let result = Rewrite.html(#"<a href="https://x.example/?a=1&#38;b=2&#x26;c=3&#X26;d=4&#38e=5">x</a>"#)
        #expect(result.targets == ["https://x.example/?a=1&b=2&c=3&d=4&e=5"])
    }

    @Test("a legacy name without ; is decoded only where HTML5 decodes it")
    func legacyNamesWithoutSemicolon() {
        let result = Rewrite.html(#"<a href="https://x.example/?a=1&copy=2&amp&b=&lt3&unknown;">x</a>"#)
        #expect(result.targets == ["https://x.example/?a=1&copy=2&&b=&lt3&unknown;"])
    }

    @Test("the new value is HTML-escaped for its quotes")
    func newValueEscaped() {
        let single = Rewrite.html("<a href='https://x.example/'>x</a>", suffix: "?a=1&b='2'\"")
        #expect(single.text == "<a href='https://t.example/f/a/T1?a=1&amp;b=&#39;2&#39;&quot;'>x</a>")
        let double = Rewrite.html(#"<a href="https://x.example/">x</a>"#, suffix: "?a=1&b='2'<>")
        #expect(double.text == #"<a href="https://t.example/f/a/T1?a=1&amp;b='2'&lt;&gt;">x</a>"#)
    }

    @Test("an unquoted href gets double quotes; a single-quoted one keeps its quotes")
    func quoting() {
        #expect(Rewrite.html("<a href=https://x.example/a?b=1 class=c>x</a>").text
            == #"<a href="https://t.example/f/a/T1" class=c>x</a>"#)
        #expect(Rewrite.html("<a href=https://x.example/a>x</a>").text == #"<a href="https://t.example/f/a/T1">x</a>"#)
        #expect(Rewrite.html("<a class='c' href='https://x.example/a'>x</a>").text
            == "<a class='c' href='https://t.example/f/a/T1'>x</a>")
    }

    @Test("HREF = \"...\": case and spaces around = are kept")
    func upperCaseAndSpaces() {
        let result = Rewrite.html("<A CLASS=\"b\"\n   HREF = \"https://x.example/\"\tTITLE=t>x</A>")
        #expect(result.text == "<A CLASS=\"b\"\n   HREF = \"https://t.example/f/a/T1\"\tTITLE=t>x</A>")
    }

    @Test("an href value split across lines: the target loses the line break, the tag keeps its CRLFs")
    func valueAcrossLines() {
        let result = Rewrite.html("<a\r\n href=\"https://x.example/a\r\n?b=1\"\r\n>x</a>\r\n")
        #expect(result.targets == ["https://x.example/a?b=1"])
        #expect(result.text == "<a\r\n href=\"https://t.example/f/a/T1\"\r\n>x</a>\r\n")
    }

    @Test("leading and trailing whitespace around the target is ignored, as browsers do")
    func surroundingWhitespace() {
        let result = Rewrite.html("<a href=\" \n https://x.example/a \t\">x</a>")
        #expect(result.targets == ["https://x.example/a"])
    }

    @Test("<area href> is a link too")
    func area() {
        let result = Rewrite.html(#"<map><area shape="rect" coords="0,0,1,1" href="http://x.example/a"></map>"#)
        #expect(result.text == #"<map><area shape="rect" coords="0,0,1,1" href="https://t.example/f/a/T1"></map>"#)
    }

    @Test("mailto:, tel:, #anchors, relative, javascript: and data: links are left, as not_http")
    func notHTTP() {
        let input = #"<a href="mailto:a@x.example">m</a><a href="tel:+1555">t</a>"# + ##"<a href="#top">#</a>"##
            + #"<a href="/path">r</a><a href="javascript:void(0)">j</a><a href="data:text/plain,x">d</a>"#
            + #"<a href="httpx://x.example/">h</a><a href="">e</a>"#
        let result = Rewrite.html(input)
        #expect(result.bytes == Array(input.utf8))
        #expect(result.statistics == .counts(skipped: ["not_http": 8]))
        #expect(result.links.isEmpty)
        #expect(!result.changed)
    }

    @Test("links already on the tracking domain are left")
    func trackingDomain() {
        let input = #"<a href="https://T.Example/f/a/abc">a</a><a href="http://user@t.example/x">b</a>"#
        let result = Rewrite.html(input)
        #expect(result.bytes == Array(input.utf8))
        #expect(result.statistics == .counts(skipped: ["tracking_domain": 2]))
        // Another port is another host[:port].
        #expect(Rewrite.html(#"<a href="http://t.example:8080/x">b</a>"#).statistics == .counts(tracked: 1))
        let withPort = Rewrite.html(#"<a href="http://t.example:8080/x">b</a>"#, domain: "t.example:8080")
        #expect(withPort.statistics == .counts(skipped: ["tracking_domain": 1]))
    }

    @Test("data-msys-clicktrack=\"0\" leaves the link, and the attribute goes")
    func optedOut() {
        let result = Rewrite.html(#"<a href="https://x.example/" data-msys-clicktrack="0">x</a>"#)
        #expect(result.text == #"<a href="https://x.example/">x</a>"#)
        #expect(result.statistics == .counts(skipped: ["opted_out": 1]))
        #expect(result.changed)
    }

    @Test("data-msys-linkname, -sublink and -unsubscribe are honoured and removed, before or after href")
    func annotations() {
        let result = Rewrite.html(
            "<a data-msys-linkname=\"Spring &amp; Summer\" href=\"https://x.example/a\" data-msys-sublink='shop'>a</a>"
                + "<a href=\"https://x.example/u\"\n   data-msys-unsubscribe=\"1\" DATA-MSYS-CLICKTRACK=\"1\">u</a>")
        #expect(result.text == #"<a href="https://t.example/f/a/T1">a</a><a href="https://t.example/f/a/T2">u</a>"#)
        #expect(result.links == [
            FoundLink(target: "https://x.example/a", name: "Spring & Summer", sublink: "shop"),
            FoundLink(target: "https://x.example/u", unsubscribe: true),
        ])
    }

    @Test("a link name is cut to 63 characters")
    func linkNameCap() {
        let long = String(repeating: "n", count: 70)
        let result = Rewrite.html("<a href=\"https://x.example/\" data-msys-linkname=\"\(long)\">x</a>")
        #expect(result.links.first?.name == String(repeating: "n", count: 63))
    }

    @Test("data-msys-* attributes are removed in every case", arguments: [
        (#"<a href="mailto:a@x.example" data-msys-linkname="m">x</a>"#, #"<a href="mailto:a@x.example">x</a>"#, true),
        (#"<a href="https://t.example/x" data-msys-sublink="s">x</a>"#, #"<a href="https://t.example/x">x</a>"#, true),
        (#"<a data-msys-linkname="n" href="https://x.example/">x</a>"#, #"<a href="https://x.example/">x</a>"#, false),
        (#"<a data-msys-linkname="n">x</a>"#, "<a>x</a>", true),
        (#"<a href="https://x.example/"data-msys-linkname="n">x</a>"#, #"<a href="https://x.example/">x</a>"#, false),
        (#"<a title=z data-msys-linkname="n"href="https://x.example/">x</a>"#, #"<a title=z href="https://x.example/">x</a>"#, false),
        (#"<a title=z data-msys-foo="n"/>"#, "<a title=z />", true),
    ])
    func annotationsRemoved(input: String, expected: String, tracking: Bool) {
        // With click tracking off, links stay as they are, but the attributes still go.
        let result = Rewrite.html(input, click: tracking)
        #expect(result.text == expected)
        #expect(result.changed)
    }

    @Test("with click tracking off, links are left and not counted")
    func clickTrackingOff() {
        let input = #"<a href="https://x.example/">x</a><a href="mailto:a@x.example">m</a>"#
        let result = Rewrite.html(input, click: false)
        #expect(result.bytes == Array(input.utf8))
        #expect(result.statistics == RewriteStatistics())
        #expect(!result.changed)
    }

    @Test("a refused link is left and counted with the maker's reason")
    func refused() {
        let input = (1...4).map { "<a href=\"https://x.example/\($0)\">\($0)</a>" }.joined()
        let result = Rewrite.html(input, refuseEvery: 3)
        #expect(result.text == #"<a href="https://t.example/f/a/T1">1</a><a href="https://t.example/f/a/T2">2</a>"#
            + #"<a href="https://x.example/3">3</a><a href="https://t.example/f/a/T4">4</a>"#)
        #expect(result.statistics == .counts(tracked: 3, skipped: ["limit": 1]))
    }

    @Test("template braces in an href are part of the target")
    func templateBraces() {
        let result = Rewrite.html(#"<a href="https://x.example/u/{{user_id}}?c={{{campaign}}}">x</a>"#)
        #expect(result.targets == ["https://x.example/u/{{user_id}}?c={{{campaign}}}"])
    }

    @Test("only the first of duplicate hrefs is the link, as in HTML5")
    func duplicateHref() {
        let result = Rewrite.html(#"<a href="https://x.example/1" HREF="https://x.example/2">x</a>"#)
        #expect(result.text == #"<a href="https://t.example/f/a/T1" HREF="https://x.example/2">x</a>"#)
    }

    @Test("anchors without href are not links")
    func anchorsWithoutHref() {
        let result = Rewrite.html(#"<a name="top"></a><a>x</a><a href>y</a><a href=>z</a>"#)
        #expect(result.statistics == .counts(skipped: ["not_http": 2]))
        #expect(!result.changed)
    }

    @Test("8-bit bytes in a target are percent-encoded; UTF-8 is kept")
    func eightBitTarget() {
        var input = Array(#"<a href="https://x.example/caf"#.utf8)
        input += [0xE9]
        input += Array(#"">x</a><a href="https://x.example/café">y</a>"#.utf8)
        let result = Rewrite.run(input, .html)
        #expect(result.targets == ["https://x.example/caf%E9", "https://x.example/café"])
    }
}

import Testing
import Tracking

@Suite("HTML rewriter: byte preservation")
struct HTMLRewriterBytesTests {
    @Test("a document without links is unchanged byte for byte")
    func noLinks() {
        let input = """
            <!DOCTYPE html>\r
            <html lang=en><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r
            <style type="text/css">a:hover { color: #F00 } /* <a href="https://x.example/"> */</style></head>\r
            <BODY><p class='x'  id = y>&nbsp;&amp;&copy &#169; caf\u{E9} &unknown;</p><img src="https://x.example/i.png" alt="">\r
            <a name=top></a><!-- comment --><br/></BODY></html>
            """
        let result = Rewrite.html(input)
        #expect(result.bytes == Array(input.utf8))
        #expect(!result.changed)
        #expect(result.statistics == RewriteStatistics())
    }

    @Test("NUL and 8-bit bytes are preserved, in text, tags, attribute values and comments")
    func nulAndEightBit() {
        var input: [UInt8] = Array("<p t\u{0}=\"".utf8) + [0x00, 0xE9, 0xFF] + Array("\">".utf8) + [0x00, 0x80, 0xFE]
        input += Array("<!-- ".utf8) + [0xA0, 0x00] + Array(" --><a title=\"".utf8) + [0xE4, 0xF6]
        input += Array("\" href=\"https://x.example/\">".utf8) + [0xC0, 0xC1] + Array("</a>".utf8)
        let result = Rewrite.run(input, .html)
        var expected: [UInt8] = Array("<p t\u{0}=\"".utf8) + [0x00, 0xE9, 0xFF] + Array("\">".utf8) + [0x00, 0x80, 0xFE]
        expected += Array("<!-- ".utf8) + [0xA0, 0x00] + Array(" --><a title=\"".utf8) + [0xE4, 0xF6]
        expected += Array("\" href=\"https://t.example/f/a/T1\">".utf8) + [0xC0, 0xC1] + Array("</a>".utf8)
        #expect(result.bytes == expected)
    }

    @Test("invalid markup is copied as it is", arguments: [
        "a < b <3 <<>> </> <//> <? x > </ 1> <!> <!-> <! x>",
        "<p <a href=\"x\">",
        "<div class=\"open",
        "<a href=\"https://x.example/\"",
        "</",
        "<",
        "<a",
        "<a href=https://x.example/ =x \"y\"='z' ''>",
    ])
    func invalidMarkup(input: String) {
        let result = Rewrite.html(input, click: false)
        #expect(result.bytes == Array(input.utf8))
    }

    @Test("Momentum's brace macros become braces, in text and in hrefs; other braces stay")
    func braceMacros() {
        let input = "<p>{{opening_double_curly()}}name{{closing_double_curly()}} {{ opening_triple_curly() }}x"
            + "{{closing_triple_curly()}} {{name}} {{unknown()}}</p>"
            + "<a href=\"https://x.example/?q={{opening_double_curly()}}v{{closing_double_curly()}}\">x</a>"
        let result = Rewrite.html(input)
        #expect(result.text == "<p>{{name}} {{{x}}} {{name}} {{unknown()}}</p><a href=\"https://t.example/f/a/T1\">x</a>")
        #expect(result.targets == ["https://x.example/?q={{v}}"])
        let plain = Rewrite.html("<p>{{opening_double_curly()}}</p>", click: false)
        #expect(plain.text == "<p>{{</p>")
        #expect(plain.changed)
    }

    @Test("a tag longer than 64 KiB is copied without rewriting")
    func overlongTag() {
        let input = "<a title=\"" + String(repeating: "x", count: 70_000) + "\" href=\"https://x.example/\">x</a><a href=\"https://x.example/2\">"
        let whole = Rewrite.rewrite(Array(input.utf8), pieces: [0..<input.utf8.count], .html)
        let pieces = stride(from: 0, to: input.utf8.count, by: 4096).map { $0..<min($0 + 4096, input.utf8.count) }
        let split = Rewrite.rewrite(Array(input.utf8), pieces: pieces, .html)
        #expect(whole == split)
        #expect(whole.statistics == .counts(tracked: 1, skipped: ["too_long": 1]))
        #expect(whole.targets == ["https://x.example/2"])
    }
}

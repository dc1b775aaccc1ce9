import Testing
import Tracking

@Suite("Rewriters: streaming")
struct RewriterStreamingTests {
    static let htmlSamples = [
        "<p>x</p><a href=\"https://x.example/?a=1&amp;b=2\" data-msys-linkname=\"n\">a</a>",
        "<!--[if mso]><v:roundrect href=\"https://x.example/v\"/><![endif]--><A HREF = 'https://x.example/b'>",
        "<style>a{}</style><script><!--<script></script>--></script><textarea><a href=\"https://x.example/\"></textarea>",
        "<html><head></head><body>\r\n<a href=https://x.example/u>u</a>{{opening_double_curly()}}\r\n</body></html>",
        "<!DOCTYPE html><!-- c --!><![CDATA[x]]><? p ?><a\r\nhref=\"https://x.example/a\r\nb\">",
    ]

    static let textSamples = [
        "See https://x.example/a, (https://x.example/b_(c)) <https://x.example/d>.",
        "https://x.example/e [[data-msys-linkname=\"N\"]] [[data-msys-sublink=\"s\"]]\r\nhttps://x.example/f[[data-msys-clicktrack=\"0\"]]",
        "{{opening_double_curly()}}https://x.example/{{closing_double_curly()}} https://x.example/café” x",
    ]

    @Test("any two-piece split gives the same output as the whole", arguments: htmlSamples.map { ($0, true) } + textSamples.map { ($0, false) })
    func everySplitPoint(input: String, isHTML: Bool) {
        let bytes = Array(input.utf8)
        let kind: Rewrite.Kind = isHTML ? .html : .text
        let whole = Rewrite.rewrite(bytes, pieces: [0..<bytes.count], kind, pixels: .both)
        for cut in 0...bytes.count {
            let split = Rewrite.rewrite(bytes, pieces: [0..<cut, cut..<bytes.count], kind, pixels: .both)
            #expect(split == whole, "cut at \(cut)")
        }
        #expect(whole.changed)
    }

    @Test("a 1 MB generated document streamed in 64 KiB pieces")
    func largeDocument() {
        var html = "<!DOCTYPE html><html><head><style>p { color: red }</style></head><body>\r\n"
        var expectedLinks = 0
        var index = 0
        while html.utf8.count < 1_000_000 {
            index += 1
            html += "<table><tr><td style=\"padding:10px;font-family:Arial\">Item \(index) &amp; more"
            html += "<a href=\"https://shop.example/item/\(index)?utm_source=mail&amp;utm_medium=email\" "
            html += "data-msys-linkname=\"item \(index)\">Buy</a><!-- note \(index) --></td></tr></table>\r\n"
            expectedLinks += 1
        }
        html += "</body></html>\r\n"
        let bytes = Array(html.utf8)
        let pieces = stride(from: 0, to: bytes.count, by: 65_536).map { $0..<min($0 + 65_536, bytes.count) }
        let streamed = Rewrite.rewrite(bytes, pieces: pieces, .html, pixels: .both)
        let whole = Rewrite.rewrite(bytes, pieces: [0..<bytes.count], .html, pixels: .both)
        #expect(streamed == whole)
        #expect(streamed.statistics == .counts(tracked: expectedLinks, pixels: 2))
        #expect(streamed.links[41] == FoundLink(target: "https://shop.example/item/42?utm_source=mail&utm_medium=email", name: "item 42"))
        #expect(!String(decoding: streamed.bytes, as: UTF8.self).contains("data-msys"))
    }
}

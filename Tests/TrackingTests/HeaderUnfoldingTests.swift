import Testing
import Tracking

@Suite("RFC 5322 header unfolding")
struct HeaderUnfoldingTests {
    @Test("line breaks before whitespace are removed, the whitespace kept", arguments: [
        ("LF + tab", "{\"a\":\n\t1}", "{\"a\":\t1}"),
        ("CRLF + space", "{\"a\":\r\n 1}", "{\"a\": 1}"),
        ("CRLF + several spaces", "a\r\n   b", "a   b"),
        ("bare CR + space", "a\r b", "a b"),
        ("several folds", "a\n b\r\n\tc\n d", "a b\tc d"),
        ("fold next to non-ASCII", "caf\u{e9}\n \u{1F600}", "caf\u{e9} \u{1F600}"),
    ])
    func unfolds(_ name: String, _ folded: String, _ unfolded: String) {
        #expect(HeaderUnfolding.unfold(folded) == unfolded)
    }

    @Test("text without folds is unchanged", arguments: [
        "{\"campaign_id\":\"c\"}",
        "",
        "line\nbreak without whitespace",
        "trailing CRLF\r\n",
        "caf\u{e9}",
    ])
    func unchanged(_ value: String) {
        #expect(HeaderUnfolding.unfold(value) == value)
    }
}

import Testing
import Tracking

@Suite("RFC 2047 encoded-words")
struct EncodedWordsTests {
    @Test("single words decode", arguments: [
        ("B utf-8", "=?utf-8?B?Y2Fmw6k=?=", "caf\u{e9}"),
        ("B without padding", "=?utf-8?B?Y2Fmw6k?=", "caf\u{e9}"),
        ("charset and encoding in upper/lower case", "=?UTF-8?b?Y2Fmw6k=?=", "caf\u{e9}"),
        ("Q utf-8", "=?utf-8?Q?caf=C3=A9?=", "caf\u{e9}"),
        ("Q lower-case hex", "=?utf-8?q?caf=c3=a9?=", "caf\u{e9}"),
        ("Q underscore is a space", "=?utf-8?Q?black_friday?=", "black friday"),
        ("Q iso-8859-1", "=?iso-8859-1?Q?caf=E9?=", "caf\u{e9}"),
        ("B iso-8859-1", "=?ISO-8859-1?B?Y2Fm6Q==?=", "caf\u{e9}"),
        ("latin1 alias", "=?latin1?Q?=E9?=", "\u{e9}"),
        ("windows-1252 euro and quotes", "=?windows-1252?Q?=80_=93x=94?=", "\u{20AC} \u{201C}x\u{201D}"),
        ("us-ascii", "=?us-ascii?Q?plain?=", "plain"),
        ("RFC 2231 language suffix", "=?utf-8*en?Q?hi?=", "hi"),
        ("empty encoded text", "=?utf-8?B??=", ""),
    ])
    func decodesWord(_ name: String, _ encoded: String, _ decoded: String) throws {
        #expect(try EncodedWords.decode(encoded) == decoded)
    }

    @Test("whitespace between adjacent words is dropped, other text kept", arguments: [
        ("two words, space", "=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab"),
        ("three words, tabs and spaces", "=?utf-8?Q?a?=\t=?utf-8?B?Yg==?=  =?utf-8?Q?c?=", "abc"),
        ("words not unfolded first", "=?utf-8?Q?a?=\r\n =?utf-8?Q?b?=", "ab"),
        ("different charsets", "=?iso-8859-1?Q?=E9?= =?utf-8?Q?=C3=A9?=", "\u{e9}\u{e9}"),
        ("character split across words", "=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?=", "caf\u{e9}"),
        ("text around words", "x =?utf-8?Q?a?= y", "x a y"),
        ("word inside a JSON string", "{\"c\":\"=?utf-8?Q?caf=C3=A9?=\"}", "{\"c\":\"caf\u{e9}\"}"),
        ("trailing whitespace after word", "=?utf-8?Q?a?=  ", "a  "),
    ])
    func decodesText(_ name: String, _ encoded: String, _ decoded: String) throws {
        #expect(try EncodedWords.decode(encoded) == decoded)
    }

    @Test("text that is not an encoded-word is unchanged", arguments: [
        "{\"campaign_id\":\"=?\"}",
        "a=?b",
        "=?utf-8?X?abc?=",
        "=?utf-8?Q?no end",
        "=?utf-8?Q?has space?=",
        "=??Q?abc?=",
        "caf\u{e9} =?",
    ])
    func leavesText(_ text: String) throws {
        #expect(try EncodedWords.decode(text) == text)
    }

    @Test("undecodable words are errors", arguments: [
        ("unknown charset", "=?koi8-r?B?YWJj?=", EncodedWordError.unsupportedCharset("koi8-r")),
        ("charset name kept as written", "=?X-Unknown?Q?a?=", .unsupportedCharset("X-Unknown")),
        ("bad base64", "=?utf-8?B?#abc?=", .invalidBEncoding),
        ("base64 of impossible length", "=?utf-8?B?abcde?=", .invalidBEncoding),
        ("Q with non-hex escape", "=?utf-8?Q?=ZZ?=", .invalidQEncoding),
        ("Q with truncated escape", "=?utf-8?Q?a=?=", .invalidQEncoding),
        ("invalid UTF-8 bytes", "=?utf-8?Q?=FF?=", .invalidText(charset: "utf-8")),
        ("UTF-8 cut short", "=?utf-8?Q?caf=C3?=", .invalidText(charset: "utf-8")),
        ("8-bit byte in us-ascii", "=?us-ascii?Q?=E9?=", .invalidText(charset: "us-ascii")),
    ])
    func rejects(_ name: String, _ encoded: String, _ expected: EncodedWordError) {
        #expect(throws: expected) { try EncodedWords.decode(encoded) }
    }
}

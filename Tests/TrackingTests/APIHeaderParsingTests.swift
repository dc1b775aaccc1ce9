import Foundation
import Testing
import Tracking

/// Parses one X-MSYS-API header value.
private func parse(_ value: String) throws(APIHeaderError) -> APIHeader? {
    try APIHeader.parse([value])
}

/// Expects `value` to be rejected with `kind`.
private func expectRejected(_ value: String, _ kind: APIHeaderError.Kind, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(throws: APIHeaderError(kind), sourceLocation: sourceLocation) { try parse(value) }
}

@Suite("X-MSYS-API header: parsing")
struct APIHeaderParsingTests {
    @Test("no header gives nil")
    func noHeader() throws {
        #expect(try APIHeader.parse([]) == nil)
    }

    @Test("a full header gives every field")
    func fullHeader() throws {
        let header = try parse("""
            {"campaign_id":"black friday","metadata":{"user":"u1","n":3,"nested":{"x":[1,true]}},\
            "tags":["sale","vip"],"options":{"open_tracking":true,"click_tracking":false}}
            """)
        #expect(header == APIHeader(
            campaignID: "black friday",
            metadata: ["user": .string("u1"), "n": .number(3), "nested": .object(["x": .array([.number(1), .bool(true)])])],
            tags: ["sale", "vip"],
            openTracking: true,
            clickTracking: false
        ))
    }

    @Test("an empty object gives a header with no fields")
    func emptyObject() throws {
        #expect(try parse(" {} ") == APIHeader())
    }

    @Test("folded values are unfolded", arguments: [
        ("LF + tab", "{\"campaign_id\":\n\t\"c1\",\n\t\"tags\": [\"a\"]}", "c1"),
        ("CRLF + space", "{\"campaign_id\":\r\n \"c1\",\r\n \"tags\": [\"a\"]}", "c1"),
        ("fold inside a string keeps the space", "{\"campaign_id\": \"black\r\n friday\", \"tags\": [\"a\"]}", "black friday"),
        ("fold inside a string, LF", "{\"campaign_id\": \"black\n  friday\", \"tags\": [\"a\"]}", "black  friday"),
        ("leading and trailing whitespace", " \t{\"campaign_id\":\"c1\",\"tags\":[\"a\"]}\r\n", "c1"),
    ])
    func folded(_ name: String, _ value: String, _ campaign: String) throws {
        let header = try parse(value)
        #expect(header?.campaignID == campaign)
        #expect(header?.tags == ["a"])
    }

    @Test("a tab folded into a string value is a raw control character, so invalid JSON")
    func tabFoldInsideString() throws {
        let error = #expect(throws: APIHeaderError.self) { try parse("{\"campaign_id\": \"black\n\tfriday\"}") }
        #expect(error?.replyText.hasPrefix("X-MSYS-API header is not valid JSON: ") == true)
    }

    @Test("a B-encoded header value decodes")
    func bEncodedWhole() throws {
        let json = #"{"campaign_id":"caf\#u{e9}","tags":["cr\#u{e8}me"]}"#
        let header = try parse("=?utf-8?B?\(Data(json.utf8).base64EncodedString())?=")
        #expect(header?.campaignID == "caf\u{e9}")
        #expect(header?.tags == ["cr\u{e8}me"])
    }

    @Test("a B-encoded value split into folded words decodes")
    func bEncodedSplit() throws {
        let json = #"{"campaign_id":"\#u{1F600} spring","metadata":{"k":"v"}}"#
        let bytes = Array(json.utf8)
        // Split inside the 4-byte emoji, as an encoder that cuts on bytes would.
        let first = Data(bytes[..<18]).base64EncodedString()
        let second = Data(bytes[18...]).base64EncodedString()
        let header = try parse("=?UTF-8?B?\(first)?=\r\n =?UTF-8?B?\(second)?=")
        #expect(header?.campaignID == "\u{1F600} spring")
        #expect(header?.metadata == ["k": .string("v")])
    }

    @Test("Q-encoded words decode", arguments: [
        // In Q, `_` means space, so the name's underscore has to be written `=5F`.
        ("whole value, utf-8", #"=?utf-8?Q?{"campaign=5Fid":"caf=C3=A9_cr=C3=A8me"}?="#, "caf\u{e9} cr\u{e8}me"),
        ("inside a string, iso-8859-1", #"{"campaign_id":"=?iso-8859-1?Q?caf=E9?="}"#, "caf\u{e9}"),
        ("adjacent words", #"{"campaign_id":"=?utf-8?Q?black_?= =?utf-8?Q?friday?="}"#, "black friday"),
        ("adjacent words across a fold", "{\"campaign_id\":\"=?utf-8?q?caf=C3?=\n =?utf-8?q?=A9?=\"}", "caf\u{e9}"),
    ])
    func qEncoded(_ name: String, _ value: String, _ campaign: String) throws {
        #expect(try parse(value)?.campaignID == campaign)
    }

    @Test("non-ASCII decodes raw or escaped", arguments: [
        ("raw UTF-8", #"{"campaign_id":"caf\#u{e9} \#u{1F600}","metadata":{"name":"Zo\#u{eb} \#u{1F600}"}}"#),
        ("\\u escapes", #"{"campaign_id":"caf\u00e9 \ud83d\ude00","metadata":{"name":"Zo\u00eb \ud83d\ude00"}}"#),
        ("mixed", #"{"campaign_id":"caf\u00e9 \#u{1F600}","metadata":{"name":"Zo\#u{eb} \ud83d\ude00"}}"#),
    ])
    func nonASCII(_ name: String, _ value: String) throws {
        let header = try parse(value)
        #expect(header?.campaignID == "caf\u{e9} \u{1F600}")
        #expect(header?.metadata == ["name": .string("Zo\u{eb} \u{1F600}")])
    }

    @Test("campaign_id up to 64 UTF-8 bytes is accepted", arguments: [
        String(repeating: "a", count: 64),
        String(repeating: "\u{e9}", count: 32),
        String(repeating: "\u{1F600}", count: 16),
        "",
    ])
    func campaignWithinLimit(_ campaign: String) throws {
        #expect(try parse(#"{"campaign_id":"\#(campaign)"}"#)?.campaignID == campaign)
    }

    @Test("campaign_id over 64 UTF-8 bytes is rejected", arguments: [
        String(repeating: "a", count: 65),
        String(repeating: "\u{e9}", count: 64),  // 64 characters, 128 bytes
        String(repeating: "a", count: 63) + "\u{e9}",  // 65 bytes
    ])
    func campaignOverLimit(_ campaign: String) {
        expectRejected(#"{"campaign_id":"\#(campaign)"}"#, .campaignIDTooLong)
    }

    @Test("the 64-byte limit counts escapes as the bytes they decode to")
    func campaignLimitAfterEscapes() throws {
        let escaped = String(repeating: #"\u00e9"#, count: 32)  // 192 characters of text, 64 bytes decoded
        #expect(try parse(#"{"campaign_id":"\#(escaped)"}"#)?.campaignID == String(repeating: "\u{e9}", count: 32))
        expectRejected(#"{"campaign_id":"\#(escaped)x"}"#, .campaignIDTooLong)
    }

    @Test("campaign_id must be a string", arguments: ["1", "null", "true", "[\"c\"]", "{}"])
    func campaignNotString(_ json: String) {
        expectRejected(#"{"campaign_id":\#(json)}"#, .campaignIDNotString)
    }

    @Test("metadata must be an object", arguments: ["[1,2]", "\"k=v\"", "42", "true", "null"])
    func metadataNotObject(_ json: String) throws {
        let error = #expect(throws: APIHeaderError.self) { try parse(#"{"metadata":\#(json)}"#) }
        #expect(error?.kind == .metadataNotObject)
        #expect(error?.replyText == "X-MSYS-API 'metadata' must be of type 'json object'")
    }

    @Test("only the first 10 tags are kept")
    func tagsCapped() throws {
        let tags = (1...12).map { "t\($0)" }
        let list = tags.map { "\"\($0)\"" }.joined(separator: ",")
        #expect(try parse(#"{"tags":[\#(list)]}"#)?.tags == Array(tags.prefix(10)))
    }

    @Test("an empty tags array is kept")
    func tagsEmpty() throws {
        #expect(try parse(#"{"tags":[]}"#)?.tags == [])
    }

    @Test("every tag must be a string, even past the tenth", arguments: [
        #"["a",1]"#,
        #"["a",null]"#,
        #"[["a"]]"#,
        #"["1","2","3","4","5","6","7","8","9","10","11",false]"#,
    ])
    func tagNotString(_ json: String) {
        expectRejected(#"{"tags":\#(json)}"#, .tagNotString)
    }

    @Test("tags must be an array", arguments: [#""a,b""#, "{}", "1", "null"])
    func tagsNotArray(_ json: String) {
        expectRejected(#"{"tags":\#(json)}"#, .tagsNotArray)
    }

    @Test("tracking options take JSON booleans", arguments: [
        (#"{"open_tracking":true,"click_tracking":false}"#, true, false),
        (#"{"open_tracking":false,"click_tracking":true}"#, false, true),
        (#"{"open_tracking":true}"#, true, nil),
        (#"{}"#, nil, nil),
    ] as [(String, Bool?, Bool?)])
    func optionsBooleans(_ options: String, _ open: Bool?, _ click: Bool?) throws {
        let header = try parse(#"{"options":\#(options)}"#)
        #expect(header?.openTracking == open)
        #expect(header?.clickTracking == click)
    }

    @Test("tracking options reject anything but true and false", arguments: [
        "1", "0", "\"true\"", "\"false\"", "null", "[]",
    ], ["open_tracking", "click_tracking", "transactional"])
    func optionsNotBoolean(_ json: String, _ option: String) throws {
        let error = #expect(throws: APIHeaderError.self) { try parse(#"{"options":{"\#(option)":\#(json)}}"#) }
        #expect(error?.kind == .optionNotBoolean("options.\(option)"))
        #expect(error?.replyText == "X-MSYS-API 'options.\(option)' must be of type 'boolean'")
    }

    @Test("options.transactional is read as a boolean (it suppresses List-Unsubscribe), not listed as ignored",
          arguments: [("true", true), ("false", false)])
    func transactional(_ json: String, _ expected: Bool) throws {
        let header = try parse(#"{"options":{"transactional":\#(json),"ip_pool":"p"}}"#)
        #expect(header?.transactional == expected)
        #expect(header?.ignoredSparkPostFields == ["options.ip_pool"])
        #expect(try parse(#"{"options":{}}"#)?.transactional == nil)
    }

    @Test("options must be an object", arguments: ["true", "[]", #""open_tracking""#, "null"])
    func optionsNotObject(_ json: String) {
        expectRejected(#"{"options":\#(json)}"#, .optionsNotObject)
    }

    @Test("SparkPost-only fields are accepted, ignored and listed")
    func sparkPostFields() throws {
        let header = try parse("""
            {"campaign_id":"c","cc":[{"email":"a@example.com"}],"bcc":[],"archive":[],\
            "sandbox":false,"skip_suppression":true,"ip_pool":"p","inline_css":true,"smart_send":false,\
            "options":{"open_tracking":true,"transactional":true,"sandbox":true,"ip_pool":"q"}}
            """)
        #expect(header == APIHeader(
            campaignID: "c",
            openTracking: true,
            transactional: true,
            ignoredSparkPostFields: [
                "archive", "bcc", "cc", "inline_css", "ip_pool", "options.ip_pool", "options.sandbox",
                "sandbox", "skip_suppression", "smart_send",
            ]
        ))
    }

    @Test("unknown fields are accepted and listed separately")
    func unknownFields() throws {
        let header = try parse(#"{"campaign_id":"c","zeta":1,"alpha":{"x":1},"options":{"bogus":true,"click_tracking":true},"cc":[]}"#)
        #expect(header?.campaignID == "c")
        #expect(header?.clickTracking == true)
        #expect(header?.unknownFields == ["alpha", "options.bogus", "zeta"])
        #expect(header?.ignoredSparkPostFields == ["cc"])
    }

    @Test("malformed JSON is rejected", arguments: [
        ("truncated", #"{"campaign_id":"c""#),
        ("truncated string", #"{"campaign_id":"c"#),
        ("trailing garbage", #"{"campaign_id":"c"} x"#),
        ("two objects", #"{"a":1}{"b":2}"#),
        ("single quotes", #"{'campaign_id':'c'}"#),
        ("bare words", "campaign_id=c"),
        ("raw newline in a string", "{\"campaign_id\":\"a\nb\"}"),
    ])
    func malformed(_ name: String, _ value: String) throws {
        let error = #expect(throws: APIHeaderError.self) { try parse(value) }
        guard case .invalidJSON = error?.kind else {
            Issue.record("expected invalidJSON, got \(String(describing: error?.kind))")
            return
        }
        #expect(error?.replyText.hasPrefix("X-MSYS-API header is not valid JSON: ") == true)
    }

    @Test("an empty value is rejected", arguments: ["", "   ", "\r\n ", "\t"])
    func empty(_ value: String) {
        #expect(throws: APIHeaderError(.invalidJSON(reason: "empty value"))) { try parse(value) }
    }

    @Test("JSON that is not an object is rejected", arguments: [#"[{"campaign_id":"c"}]"#, #""c""#, "1", "true", "null"])
    func notAnObject(_ value: String) throws {
        let error = #expect(throws: APIHeaderError.self) { try parse(value) }
        #expect(error?.kind == .notAnObject)
        #expect(error?.replyText == "X-MSYS-API must be a json object")
    }

    @Test("more than one header is rejected, even if each is valid")
    func duplicate() {
        #expect(throws: APIHeaderError(.duplicateHeader)) {
            try APIHeader.parse([#"{"campaign_id":"a"}"#, #"{"campaign_id":"b"}"#])
        }
    }

    @Test("an encoded-word in an unknown charset is rejected")
    func unknownCharset() throws {
        let error = #expect(throws: APIHeaderError.self) { try parse(#"=?koi8-r?B?e30=?="#) }
        #expect(error?.kind == .encodedWord(.unsupportedCharset("koi8-r")))
        #expect(error?.replyText == "X-MSYS-API encoded-word charset 'koi8-r' is not supported")
    }

    @Test("the first fault in field order decides the reply")
    func firstFaultWins() {
        expectRejected(#"{"tags":1,"metadata":[],"campaign_id":2}"#, .campaignIDNotString)
        expectRejected(#"{"options":1,"tags":1,"metadata":[]}"#, .metadataNotObject)
    }
}

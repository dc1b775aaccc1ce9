import Testing
import Tracking

@Suite("X-MSYS-API header: SMTP replies")
struct APIHeaderErrorTests {
    @Test("each error has its reply text", arguments: [
        (APIHeaderError.Kind.duplicateHeader, "more than one X-MSYS-API header"),
        (.encodedWord(.unsupportedCharset("x")), "X-MSYS-API encoded-word charset 'x' is not supported"),
        (.encodedWord(.invalidBEncoding), "X-MSYS-API encoded-word is not valid base64"),
        (.encodedWord(.invalidQEncoding), "X-MSYS-API encoded-word is not valid Q encoding"),
        (.encodedWord(.invalidText(charset: "utf-8")), "X-MSYS-API encoded-word is not valid 'utf-8' text"),
        (.invalidJSON(reason: "empty value"), "X-MSYS-API header is not valid JSON: empty value"),
        (.notAnObject, "X-MSYS-API must be a json object"),
        (.campaignIDNotString, "X-MSYS-API 'campaign_id' must be of type 'string'"),
        (.campaignIDTooLong, "smtpapi_campaign_id context is limited to 64 bytes"),
        (.metadataNotObject, "X-MSYS-API 'metadata' must be of type 'json object'"),
        (.tagsNotArray, "X-MSYS-API 'tags' must be of type 'array'"),
        (.tagNotString, "X-MSYS-API 'tags' entries must be of type 'string'"),
        (.optionsNotObject, "X-MSYS-API 'options' must be of type 'json object'"),
        (.optionNotBoolean("options.open_tracking"), "X-MSYS-API 'options.open_tracking' must be of type 'boolean'"),
        (.optionNotBoolean("options.click_tracking"), "X-MSYS-API 'options.click_tracking' must be of type 'boolean'"),
    ])
    func replyText(_ kind: APIHeaderError.Kind, _ text: String) {
        let error = APIHeaderError(kind)
        #expect(error.replyText == text)
        #expect(error.code == "550")
        #expect(error.enhancedCode == "5.6.0")
        #expect(error.description == "550 5.6.0 \(text)")
    }

    @Test("reply text is one line of printable ASCII, whatever the sender wrote", arguments: [
        APIHeaderError.Kind.encodedWord(.unsupportedCharset("x%s\u{e9}")),
        .encodedWord(.unsupportedCharset(String(repeating: "k", count: 500))),
        .encodedWord(.invalidText(charset: "utf\r\n-8")),
        .invalidJSON(reason: "line one\r\nline two 100% \u{1F600}"),
        .optionNotBoolean("options.\u{e9}%\n"),
    ])
    func sanitized(_ kind: APIHeaderError.Kind) {
        let text = APIHeaderError(kind).replyText
        #expect(text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value <= 0x7E })
        #expect(text.utf8.count <= 400)
    }

    @Test("replies to real bad headers are printable ASCII without %", arguments: [
        "", "{\"a\":1} \u{e9}%", "[1]", "{\"campaign_id\":\"" + String(repeating: "\u{e9}", count: 33) + "\"}",
        "{\"metadata\":\"%s\"}", "{\"tags\":[1]}", "{\"options\":{\"open_tracking\":1}}",
        "=?x%y?Q?a?=", "=?utf-8?Q?=FF?=", "{\"a\":\"\u{1}\"}", "{\"a\":%}",
    ])
    func realRepliesPrintable(_ value: String) throws {
        let error = #expect(throws: APIHeaderError.self) { try APIHeader.parse([value]) }
        let text = try #require(error?.replyText)
        #expect(!text.isEmpty)
        #expect(text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value <= 0x7E })
    }
}

import Foundation
import Testing
import Tracking

@Suite("JSONValue decoding and printing")
struct JSONValueTests {
    @Test("scalars decode to the right case", arguments: [
        ("true", JSONValue.bool(true)),
        ("false", .bool(false)),
        ("1", .number(1)),
        ("0", .number(0)),
        ("-2.5", .number(-2.5)),
        ("null", .null),
        ("\"x\"", .string("x")),
        ("\"\\u00e9\"", .string("\u{e9}")),
        ("\"\\ud83d\\ude00\"", .string("\u{1F600}")),
    ])
    func decodesScalar(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == expected)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) == expected)
    }

    @Test("nested containers decode")
    func decodesNested() throws {
        let value = try JSONValue(parsing: #"{"a":[1,true,null,"s"],"o":{"k":{"deep":false}}}"#)
        #expect(value == .object([
            "a": .array([.number(1), .bool(true), .null, .string("s")]),
            "o": .object(["k": .object(["deep": .bool(false)])]),
        ]))
    }

    @Test("jsonText is compact, sorted, with integers printed as integers", arguments: [
        (JSONValue.number(1), "1"),
        (.number(-3), "-3"),
        (.number(0), "0"),
        (.number(9_007_199_254_740_992), "9007199254740992"),
        (.number(1.5), "1.5"),
        (.bool(true), "true"),
        (.null, "null"),
        (.string("a/b \u{e9}"), "\"a/b \u{e9}\""),
        (.array([.number(1), .bool(false), .string("x")]), "[1,false,\"x\"]"),
        (.object(["b": .number(2), "a": .object(["d": .bool(true), "c": .null])]), #"{"a":{"c":null,"d":true},"b":2}"#),
    ])
    func printsText(_ value: JSONValue, _ text: String) {
        #expect(value.jsonText == text)
    }

    @Test("parsing jsonText gives back the same value", arguments: [
        #"{"n":1,"f":0.25,"t":true,"s":"caf\u00e9 \ud83d\ude00","a":[1,[2,{"x":null}]],"u":"http://x/y"}"#,
        "[true,1,false,0]",
        #"{"big":9007199254740992,"neg":-42}"#,
    ])
    func roundTrips(_ text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(try JSONValue(parsing: value.jsonText) == value)
    }

    @Test("true stays a boolean and 1 stays a number through a round trip")
    func keepsBoolAndNumberApart() throws {
        let value = try JSONValue(parsing: #"{"t":true,"one":1}"#)
        #expect(value == .object(["t": .bool(true), "one": .number(1)]))
        #expect(value.jsonText == #"{"one":1,"t":true}"#)
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }

    @Test("invalid JSON gives a short printable reason", arguments: [
        "", "  \n", "{\"a\":", "{\"a\":1} x", "nope", "\"bad \\x escape\"", "1e400", "\"\\ud83d\"",
    ])
    func rejects(_ text: String) throws {
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        let reason = try #require(error?.reason)
        #expect(!reason.isEmpty)
        #expect(reason.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F && $0 != "%" })
    }

    @Test("an empty value says so")
    func emptyReason() {
        #expect(throws: JSONParseError(reason: "empty value")) { try JSONValue(parsing: " \t\r\n") }
    }
}

import Foundation
import Testing
@testable import Tracking

/// The hand-written reader against Foundation's `JSONDecoder` (the parser it replaced) on
/// generated texts: both accept the same texts, with the same values.
@Suite("JSON reader")
struct JSONReaderTests {
    /// Foundation's verdict: the value, or nil when it refuses the text.
    static func foundation(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test("agrees with JSONDecoder on 20,000 generated and mutated texts")
    func differential() {
        var random = SplitMix64(seed: 20261205)
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            var text = JSONGenerator.value(depth: 0, random: &random)
            if random.next() % 2 == 0 { text = JSONGenerator.mutate(text, random: &random) }
            let ours = try? JSONValue(parsing: text)
            let theirs = Self.foundation(text)
            if ours != theirs, disagreements.count < 10 {
                disagreements.append("\(text.debugDescription): ours \(String(describing: ours)), JSONDecoder \(String(describing: theirs))")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }

    @Test("escapes, surrogate pairs and numbers", arguments: [
        (#""a\"b\\c\/d\b\f\n\r\t""#, JSONValue.string("a\"b\\c/d\u{8}\u{C}\n\r\t")),
        (#""\u00e9\ud83d\ude00""#, .string("é😀")),
        ("-0.5e2", .number(-50)),
        ("[1,[2,{}],\"x\",null,true,false]", .array([.number(1), .array([.number(2), .object([:])]), .string("x"), .null, .bool(true), .bool(false)])),
        (" {\"k\" : \"v\" } ", .object(["k": .string("v")])),
        ("[1,]", .array([.number(1)])),
        (#"{"k":1,"k":2}"#, .object(["k": .number(1)])),
    ])
    func reads(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == expected)
    }

    @Test("refuses what RFC 8259 does not allow", arguments: [
        "{\"a\":1,}", "01", "1.", ".5", "+1", "-", "1e", "tru", "nul", "'a'", "\"a", "[1 2]",
        "{\"a\" 1}", "{1:2}", "\"\u{01}\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u12\"", "NaN", "[", "{",
    ])
    func refuses(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("nesting is bounded: deep input is refused, never a stack overflow")
    func depth() throws {
        let ok = String(repeating: "[", count: JSONReader.maxDepth) + String(repeating: "]", count: JSONReader.maxDepth)
        #expect(throws: Never.self) { try JSONValue(parsing: ok) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        #expect(error?.reason.contains("nested deeper") == true)
    }
}

/// Random JSON texts, valid by construction, and byte-level mutations of them.
enum JSONGenerator {
    static let strings = ["", "a", "é", "😀", "\\n", "\\u0041", "\\ud83d\\ude00", "x y", "\\\"", "\\/", "tab\\t"]

    static func value(depth: Int, random: inout SplitMix64) -> String {
        let choice = depth > 4 ? random.next() % 5 : random.next() % 7
        switch choice {
        case 0: return "null"
        case 1: return random.next() % 2 == 0 ? "true" : "false"
        case 2: return number(random: &random)
        case 3, 4: return "\"" + strings[Int(random.next() % UInt64(strings.count))] + "\""
        case 5:
            let count = Int(random.next() % 4)
            return "[" + (0..<count).map { _ in value(depth: depth + 1, random: &random) }.joined(separator: ",") + "]"
        default:
            let count = Int(random.next() % 4)
            return "{" + (0..<count).map { i in "\"k\(i)\":" + value(depth: depth + 1, random: &random) }.joined(separator: ", ") + "}"
        }
    }

    static func number(random: inout SplitMix64) -> String {
        let forms = ["0", "-0", "7", "-12", "3.25", "1e3", "-2.5E-3", "123456789012345678", "0.1", "1e308", "9007199254740993"]
        return forms[Int(random.next() % UInt64(forms.count))]
    }

    static func mutate(_ text: String, random: inout SplitMix64) -> String {
        var bytes = Array(text.utf8)
        let alphabet = Array(" \t\n{}[]:,\"\\-+.0123456789eEtrufalsn/ux".utf8)
        for _ in 0..<(1 + Int(random.next() % 3)) {
            let at = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
            switch random.next() % 3 {
            case 0 where !bytes.isEmpty: bytes.remove(at: at)
            case 1: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
            default: if !bytes.isEmpty { bytes[at] = alphabet[Int(random.next() % UInt64(alphabet.count))] }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

// ISO-2022 parts (charset=iso-2022-jp) through the MIME walker with the real HTML and text
// rewriters in opaque mode, marker URLs and pixels. Invariants:
// - the output does not depend on where the body was cut (a part that had to switch to
//   quoted-printable is compared decoded);
// - a part with an 8-bit byte is left alone, and the note says so;
// - with links refused and no pixels, a part without data-msys- annotations or brace macros
//   is left as it came;
// - read with an independent ISO-2022 decoder (escapes dropped, each character tagged with
//   its set), the marked output with pixels taken out is the input's text with href values
//   and URLs replaced by markers: no character outside a rewritten link changes, moves, or
//   changes set; every marker and pixel is read in ASCII.
import FuzzSupport
@testable import Tracking

runFuzzer { data in
    let body = Array(data)
    let html = body.count % 2 == 0
    let headers: [(name: String, value: String)] = [("Content-Type", "text/\(html ? "html" : "plain"); charset=iso-2022-jp")]
    let split = cuts(for: body, count: 6)

    let marked = run(headers, body, html: html, pixels: .both, cuts: split)
    let whole = run(headers, body, html: html, pixels: .both, cuts: [])
    require(marked.body == whole.body, "output depends on the cuts \(split)")

    if body.contains(where: { $0 >= 0x80 }) {
        require(marked.body == nil && marked.notes.first?.contains("8-bit") == true, "an 8-bit part was rewritten")
        return
    }
    let annotated = contains(body.map(lower), Array("data-msys-".utf8)) || contains(body, Array("{{".utf8))
    let refused = run(headers, body, html: html, pixels: nil, cuts: split, refuse: true)
    if !annotated { require(refused.body == nil, "refused links and no pixels, yet the part changed") }
    guard !annotated, let output = marked.body, !contains(body, MarkerURLMaker.clickPrefix),
          !contains(body, MarkerURLMaker.pixelPrefix) else { return }
    if marked.switched {
        // Quoted-printable writes each line break of the text with the part's own line ending.
        checkText(input: lineFeeds(body), output: lineFeeds(output))
    } else {
        checkText(input: body, output: output)
    }
}

/// CRLF and CR as LF.
func lineFeeds(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    for (i, byte) in bytes.enumerated() where !(byte == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) {
        out.append(byte == 0x0D ? 0x0A : byte)
    }
    return out
}

func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

func run(_ headers: [(name: String, value: String)], _ body: [UInt8], html: Bool, pixels: OpenPixelPlacement?,
         cuts: [Int], refuse: Bool = false) -> (body: [UInt8]?, notes: [String], switched: Bool) {
    let urls: any TrackedURLMaker = refuse ? RefusingURLMaker() : MarkerURLMaker()
    let result = walk(headers, body, cuts: cuts) { part in
        let options = LinkRewriteOptions(clickTracking: true, openPixels: pixels, trackingDomain: "track.invalid",
                                         nonASCIIBytes: part.nonASCIIBytes)
        return html ? HTMLRewriter(options: options, urls: urls) : TextRewriter(options: options, urls: urls)
    }
    // A line past 998 octets switched the part to quoted-printable: compare its content.
    if case .rewritten(_, let changes) = result.outcome, changes.contains(where: { $0.name == "Content-Transfer-Encoding" }),
        let out = result.body {
        var decoded: [UInt8] = []
        var decoder = QuotedPrintable.Decoder()
        out.withUnsafeBytes { decoder.decode($0, into: &decoded) }
        decoder.finish(into: &decoded)
        return (decoded, result.notes, true)
    }
    guard let out = result.body else { return (nil, result.notes, false) }
    return (out, result.notes, false)
}

/// One decoded character: its byte and the set it was read in (escapes are not characters).
struct Decoded: Equatable {
    var set: [UInt8]
    var byte: UInt8
    var offset: Int
    static func == (a: Decoded, b: Decoded) -> Bool { a.set == b.set && a.byte == b.byte }
}

/// An independent reading: G0 designations (ESC ( F, ESC $ F, ESC $ ( F), SO/SI, a line feed
/// ends SO; controls read as themselves. Nil when an escape is not one of those (the
/// rewriter then treats the rest as unknown, which this reading does not model).
func decode(_ bytes: [UInt8]) -> [Decoded]? {
    var set: [UInt8] = Array("(B".utf8)
    var shifted = false
    var out: [Decoded] = []
    var i = 0
    while i < bytes.count {
        let byte = bytes[i]
        if byte == 0x1B {
            var j = i + 1
            while j < bytes.count, j - i <= 2, (0x20...0x2F).contains(bytes[j]) { j += 1 }
            guard j < bytes.count, (0x30...0x7E).contains(bytes[j]) else { return nil }
            let sequence = Array(bytes[(i + 1)...j])
            let g0 = sequence.first == UInt8(ascii: "(") || sequence == Array("$@".utf8) || sequence == Array("$B".utf8)
                || sequence == Array("$A".utf8) || sequence.starts(with: Array("$(".utf8))
            guard g0 || sequence.starts(with: Array("$)".utf8)) || sequence.first == UInt8(ascii: ")") else { return nil }
            if g0 { set = sequence }
            i = j + 1
            continue
        }
        if byte == 0x0E { shifted = true } else if byte == 0x0F { shifted = false } else if byte < 0x20 {
            out.append(Decoded(set: [], byte: byte, offset: i))
            if byte == 0x0A { shifted = false }
        } else {
            var tag = shifted ? Array("SO".utf8) : set
            // JIS-Roman is ASCII but for YEN SIGN and OVERLINE.
            if tag == Array("(J".utf8) && byte != 0x5C && byte != 0x7E { tag = Array("(B".utf8) }
            out.append(Decoded(set: tag, byte: byte, offset: i))
        }
        i += 1
    }
    return out
}

func checkText(input: [UInt8], output: [UInt8]) {
    guard let inChars = decode(input), let outChars = decode(output) else { return }
    let ascii = Array("(B".utf8)
    // Pixels and markers: their characters must be ASCII; then they are taken out.
    var kept: [Decoded] = []
    var markerStarts: [Int] = []
    var k = 0
    let text = outChars.map(\.byte)
    while k < outChars.count {
        if let range = insertion(in: text, at: k) {
            require(outChars[range].allSatisfy { $0.set == ascii }, "an inserted URL or pixel is not read as ASCII")
            if text[k] != UInt8(ascii: "<") { markerStarts.append(kept.count) }
            k = range.upperBound
            continue
        }
        kept.append(outChars[k])
        k += 1
    }
    // Between markers the text is the input's, in order; a marker replaced one href value or URL.
    var segments: [ArraySlice<Decoded>] = []
    var from = 0
    for start in markerStarts {
        segments.append(kept[from..<start])
        from = start
    }
    segments.append(kept[from...])
    let quote = UInt8(ascii: "\"")
    for s in segments.indices {
        if s < segments.count - 1, segments[s].last?.byte == quote { segments[s] = segments[s].dropLast() }
        if s > 0, segments[s].first?.byte == quote { segments[s] = segments[s].dropFirst() }
    }
    var position = 0
    for (s, segment) in segments.enumerated() where !segment.isEmpty {
        guard let hit = find(Array(segment), in: inChars, from: position) else {
            require(false, "text outside links changed: \(shown(segment.map(\.byte)))")
            return
        }
        require(s > 0 || hit == 0, "text before the first link changed")
        position = hit + segment.count
    }
    require(markerStarts.isEmpty ? kept == inChars : true, "text changed without a link")
}

/// The marker URL or pixel tag starting at `k`, if any.
func insertion(in text: [UInt8], at k: Int) -> Range<Int>? {
    let pixel = Array("<img src=\"".utf8) + MarkerURLMaker.pixelPrefix
    if text[k] == UInt8(ascii: "<"), text[k...].starts(with: pixel),
       let close = firstRange(of: Array("/>".utf8), in: text, from: k) {
        return k..<close.upperBound
    }
    if text[k] == UInt8(ascii: "h"), text[k...].starts(with: MarkerURLMaker.clickPrefix),
       let slash = text[(k + MarkerURLMaker.clickPrefix.count)...].firstIndex(of: UInt8(ascii: "/")) {
        return k..<(slash + 1)
    }
    return nil
}

func find(_ needle: [Decoded], in haystack: [Decoded], from: Int) -> Int? {
    guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
    for i in from...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
        return i
    }
    return nil
}

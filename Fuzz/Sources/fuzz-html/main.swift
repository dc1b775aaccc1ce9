// The HTML tokenizer and rewriter. Invariants, for every input and every way of cutting it
// into pieces:
// - with links refused and no pixels, the output is the input byte for byte unless the
//   rewriter reports a change, and then it is the input with bytes only deleted (the
//   data-msys-* attributes and brace macros the SPEC removes);
// - the output does not depend on where the input was cut;
// - with numbered marker URLs, the output with the pixels taken out is the refused output
//   with each tracked href value (and its quotes) replaced by its marker, in order: no
//   byte outside a rewritten value moves or changes;
// - every link handed to the URL maker is an http(s) URL, cleaned as browsers clean it;
// - the output grows by at most the markers and pixels written.
import FuzzSupport
import Tracking

let domain = "track.invalid"

runFuzzer { data in
    let input = Array(data)
    let split = cuts(for: input, count: 6)

    let refuser = RefusingURLMaker()
    let refusing = HTMLRewriter(options: options(pixels: nil), urls: refuser)
    let plain = rewrite(input, with: refusing)
    if refusing.changed {
        // `{{closing_triple_curly()}}` gives three braces for two: braces aside, only deletions.
        require(plain.count < input.count && isSubsequence(withoutBraces(plain), of: withoutBraces(input)),
                "refused links, yet bytes were added or changed")
    } else {
        require(plain == input, "refused links and no change reported, yet the output differs")
    }
    require(refusing.statistics.linksTracked == 0 && refusing.statistics.pixels == 0, "counted what was refused")
    for link in refuser.offered { checkLink(link) }
    let plainCut = rewrite(input, with: HTMLRewriter(options: options(pixels: nil), urls: RefusingURLMaker()), cuts: split)
    require(plainCut == plain, "refused output depends on the cuts \(split)")

    let placements: [OpenPixelPlacement?] = [nil, .both, .top, .bottom]
    let placement = placements[(split.last ?? 0) % placements.count]
    let marker = MarkerURLMaker()
    let marking = HTMLRewriter(options: options(pixels: placement), urls: marker)
    let marked = rewrite(input, with: marking, cuts: split)
    let markedWhole = rewrite(input, with: HTMLRewriter(options: options(pixels: placement), urls: MarkerURLMaker()))
    require(marked == markedWhole, "marked output depends on the cuts \(split)")
    require(marker.links == refuser.offered, "the links offered depend on the URL maker")
    require(marking.statistics.linksTracked == marker.links.count, "tracked count differs from the URLs made")
    require(marking.statistics.pixels == marker.pixels.count && marker.pixels.count <= 2, "pixel count")
    require(marked.count <= input.count + marker.links.count * 40 + marker.pixels.count * 400, "output grew more than the markers")

    // Input that already spells a marker cannot be told apart from the rewriter's markers.
    guard !contains(input, MarkerURLMaker.clickPrefix), !contains(input, MarkerURLMaker.pixelPrefix) else { return }
    let withoutPixels = removingPixels(marked, expected: marker.pixels.count)
    checkAlignment(withoutPixels, plain: plain, links: marker.links.count)
}

func options(pixels: OpenPixelPlacement?) -> LinkRewriteOptions {
    LinkRewriteOptions(clickTracking: true, openPixels: pixels, trackingDomain: domain)
}

func checkLink(_ link: FoundLink) {
    let target = Array(link.target.utf8)
    require(hasPrefixIgnoringCase(target, "http://") || hasPrefixIgnoringCase(target, "https://"), "offered a non-web link: \(link.target)")
    require(!target.contains { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }, "offered a link with tab or line break")
    require((target.first ?? 0) > 0x20 && (target.last ?? 0) > 0x20, "offered a link with surrounding blanks")
    if let name = link.name { require(name.count <= 63 && !name.isEmpty, "link name of \(name.count) characters") }
}

/// The output with each `<img src="https://pixel.invalid/...` ... `/>` taken out.
func removingPixels(_ bytes: [UInt8], expected: Int) -> [UInt8] {
    let start = Array("<img src=\"".utf8) + MarkerURLMaker.pixelPrefix
    var out: [UInt8] = []
    var from = 0
    var found = 0
    while let hit = firstRange(of: start, in: bytes, from: from) {
        guard let close = firstRange(of: Array("/>".utf8), in: bytes, from: hit.upperBound) else { break }
        out += bytes[from..<hit.lowerBound]
        from = close.upperBound
        found += 1
    }
    out += bytes[from...]
    require(found == expected, "\(found) pixels in the output, \(expected) made")
    return out
}

/// `marked` must be `plain` with gaps (the original href values) replaced by the markers.
func checkAlignment(_ marked: [UInt8], plain: [UInt8], links: Int) {
    var segments: [ArraySlice<UInt8>] = []
    var from = 0
    for number in 0..<links {
        guard let hit = firstRange(of: Array(MarkerURLMaker.click(number).utf8), in: marked, from: from) else {
            require(false, "marker \(number) missing or out of order")
            return
        }
        segments.append(marked[from..<hit.lowerBound])
        from = hit.upperBound
    }
    segments.append(marked[from...])
    require(firstRange(of: MarkerURLMaker.clickPrefix, in: Array(segments[segments.count - 1]), from: 0) == nil, "more markers than links")
    // An unquoted value gets quotes: they belong to the replaced value, not to the kept bytes.
    let quote = UInt8(ascii: "\"")
    for k in segments.indices {
        if k < segments.count - 1, segments[k].last == quote { segments[k] = segments[k].dropLast() }
        if k > 0, segments[k].first == quote { segments[k] = segments[k].dropFirst() }
    }
    guard let first = segments.first, let last = segments.last else { return }
    require(plain.starts(with: first), "bytes before the first link changed")
    var position = first.count
    for segment in segments.dropFirst().dropLast() where !segment.isEmpty {
        guard let hit = firstRange(of: Array(segment), in: plain, from: position) else {
            require(false, "bytes between links changed: \(shown(segment))")
            return
        }
        position = hit.upperBound
    }
    if segments.count > 1 {
        require(plain.count - position >= last.count && plain.suffix(last.count).elementsEqual(last), "bytes after the last link changed")
    }
}

// The plain-text URL finder and rewriter. Invariants, for every input and cutting:
// - with links refused, the output is the input unless a change is reported, and then
//   the input with bytes only deleted ([[data-msys-...]] annotations, brace macros), and
//   spaces added (one keeps a URL apart from text its dropped annotation separated it from);
// - a URL maker that gives each link back its own target yields the refused output;
// - with numbered marker URLs, splitting the output at the markers and putting the found
//   targets back gives the refused output exactly: the found URLs are ranges of the text,
//   in order, not overlapping, each starting with http:// or https://, and no other byte
//   changed (spaces aside where annotations were dropped: whether one is needed depends on
//   the URL written);
// - the output does not depend on the cuts;
// - read again, each marker is found as a URL of its own (a tracked URL stays clickable).
import FuzzSupport
import Tracking

let settings = LinkRewriteOptions(clickTracking: true, openPixels: nil, trackingDomain: "track.invalid")

runFuzzer { data in
    let input = Array(data)
    let split = cuts(for: input, count: 6)

    let refuser = RefusingURLMaker()
    let refusing = TextRewriter(options: settings, urls: refuser)
    let plain = rewrite(input, with: refusing)
    if refusing.changed {
        // `{{closing_triple_curly()}}` gives three braces for two: braces aside, only deletions.
        require(plain.count < input.count && isSubsequence(withoutSpaces(withoutBraces(plain)), of: withoutSpaces(withoutBraces(input))),
                "refused links, yet bytes were added or changed")
    } else {
        require(plain == input, "refused links and no change reported, yet the output differs")
    }
    let plainCut = rewrite(input, with: TextRewriter(options: settings, urls: RefusingURLMaker()), cuts: split)
    require(plainCut == plain, "refused output depends on the cuts \(split)")

    let identity = rewrite(input, with: TextRewriter(options: settings, urls: IdentityURLMaker()), cuts: split)
    require(identity == plain, "links given back unchanged, yet the output differs from the refused one")

    let marker = MarkerURLMaker()
    let marking = TextRewriter(options: settings, urls: marker)
    let marked = rewrite(input, with: marking, cuts: split)
    require(marker.links == refuser.offered, "the links offered depend on the URL maker")
    require(marking.statistics.linksTracked == marker.links.count, "tracked count differs from the URLs made")
    guard !contains(input, MarkerURLMaker.clickPrefix) else { return }

    let ranges = checkRanges(marked, plain: plain, links: marker.links, exact: !refusing.changed)
    if !refusing.changed {
        for range in ranges where range.lowerBound > 0 {
            let before = input[range.lowerBound - 1]
            let alphanumeric = (0x30...0x39).contains(before) || (0x41...0x5A).contains(before) || (0x61...0x7A).contains(before)
            require(!alphanumeric, "a URL found right after a letter or digit at \(range)")
        }
    }
    checkRefound(marked, links: marker.links.count)
}

/// Puts the targets back in place of the markers; returns where each target lies in `plain`.
func checkRanges(_ marked: [UInt8], plain: [UInt8], links: [FoundLink], exact: Bool) -> [Range<Int>] {
    var rebuilt: [UInt8] = []
    var ranges: [Range<Int>] = []
    var from = 0
    for (number, link) in links.enumerated() {
        guard let hit = firstRange(of: Array(MarkerURLMaker.click(number).utf8), in: marked, from: from) else {
            require(false, "marker \(number) missing or out of order")
            return []
        }
        rebuilt += marked[from..<hit.lowerBound]
        let target = Array(link.target.utf8)
        require(hasPrefixIgnoringCase(target, "http://") || hasPrefixIgnoringCase(target, "https://"), "found a non-web URL: \(link.target)")
        require(target.count > (hasPrefixIgnoringCase(target, "https://") ? 8 : 7), "found a URL with nothing after the scheme")
        ranges.append(rebuilt.count..<rebuilt.count + target.count)
        rebuilt += target
        from = hit.upperBound
    }
    rebuilt += marked[from...]
    if exact {
        require(rebuilt == plain, "the output is not the text with the found URLs replaced")
    } else {
        require(withoutSpaces(rebuilt) == withoutSpaces(plain), "the output is not the text with the found URLs replaced")
    }
    return ranges
}

/// The marked output read again: every marker must come back whole as one URL.
func checkRefound(_ marked: [UInt8], links: Int) {
    let reader = RefusingURLMaker()
    _ = rewrite(marked, with: TextRewriter(options: settings, urls: reader))
    let refound = Set(reader.offered.map(\.target))
    for number in 0..<links {
        let url = MarkerURLMaker.click(number)
        require(refound.contains(url), "tracked URL \(url) is not found as itself in the output: it runs into what follows")
    }
}

func withoutSpaces(_ bytes: [UInt8]) -> [UInt8] { bytes.filter { $0 != UInt8(ascii: " ") } }

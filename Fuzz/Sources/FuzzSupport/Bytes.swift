import Tracking

/// Feeds `input` to a part rewriter in pieces ending at `cuts` (offsets, any order,
/// out-of-range ones ignored), then finishes it.
public func rewrite(_ input: [UInt8], with rewriter: some PartRewriter, cuts: [Int] = []) -> [UInt8] {
    var output: [UInt8] = []
    input.withUnsafeBytes { all in
        var start = 0
        for cut in cuts.sorted() where cut > start && cut < all.count {
            rewriter.feed(UnsafeRawBufferPointer(rebasing: all[start..<cut]), into: &output)
            start = cut
        }
        rewriter.feed(UnsafeRawBufferPointer(rebasing: all[start...]), into: &output)
    }
    rewriter.finish(into: &output)
    return output
}

/// Cut offsets derived from the input's own bytes, so a crash reproduces from the file alone.
public func cuts(for input: [UInt8], count: Int = 4) -> [Int] {
    guard input.count > 1 else { return [] }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in input.prefix(64) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return (0..<count).map { k in
        hash = hash &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        // Half the cuts fall on single bytes near the start, where partial tags and schemes are.
        let span = k % 2 == 0 ? min(input.count, 16) : input.count
        return Int((hash >> 33) % UInt64(span))
    }
}

/// Whether `needle` occurs in `haystack`.
public func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    firstRange(of: needle, in: haystack, from: 0) != nil
}

/// The first occurrence of `needle` in `haystack` at or after `from`.
public func firstRange(of needle: [UInt8], in haystack: [UInt8], from: Int) -> Range<Int>? {
    guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
    var i = from
    while i <= haystack.count - needle.count {
        if haystack[i] == needle[0], haystack[i..<i + needle.count].elementsEqual(needle) { return i..<i + needle.count }
        i += 1
    }
    return nil
}

/// Whether `short` is `long` with some bytes deleted (greedy matching finds an embedding whenever one exists).
public func isSubsequence(_ short: [UInt8], of long: [UInt8]) -> Bool {
    var j = 0
    for byte in long where j < short.count && short[j] == byte { j += 1 }
    return j == short.count
}

/// ASCII case-insensitive prefix test.
public func hasPrefixIgnoringCase(_ bytes: some Collection<UInt8>, _ prefix: String) -> Bool {
    bytes.count >= prefix.utf8.count
        && zip(bytes, prefix.utf8).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
}

/// The bytes without `{` and `}`, which brace macros write more of than they remove.
public func withoutBraces(_ bytes: [UInt8]) -> [UInt8] {
    bytes.filter { $0 != UInt8(ascii: "{") && $0 != UInt8(ascii: "}") }
}

/// Runs the walker over a body in pieces ending at `cuts`.
public func walk(_ headers: [(name: String, value: String)], _ body: [UInt8], cuts: [Int] = [],
          _ makeRewriter: @escaping (DisplayedPart) -> (any PartRewriter)?) -> MIMERewriteResult {
    let walker = MIMERewriter(headers: headers, makeRewriter: makeRewriter)
    body.withUnsafeBytes { all in
        var start = 0
        for cut in cuts.sorted() where cut > start && cut < all.count {
            walker.feed(UnsafeRawBufferPointer(rebasing: all[start..<cut]))
            start = cut
        }
        walker.feed(UnsafeRawBufferPointer(rebasing: all[start...]))
    }
    return walker.finish()
}

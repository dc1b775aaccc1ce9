import Testing
import Tracking

/// A URL maker for the rewriter tests: click URLs `https://t.example/f/a/T<n>` (n counts the
/// links asked for), open URLs `https://t.example/q/TOP` and `.../BOTTOM`; it records what it
/// was asked, and can refuse every `refuseEvery`-th link with the reason "limit".
final class FakeURLMaker: TrackedURLMaker {
    private(set) var links: [FoundLink] = []
    private(set) var opens: [Bool] = []
    private(set) var lastRefusal: String?
    let refuseEvery: Int?
    let suffix: String

    init(refuseEvery: Int? = nil, suffix: String = "") {
        self.refuseEvery = refuseEvery
        self.suffix = suffix
    }

    func clickURL(for link: FoundLink) -> String? {
        links.append(link)
        if let refuseEvery, links.count % refuseEvery == 0 {
            lastRefusal = "limit"
            return nil
        }
        return "https://t.example/f/a/T\(links.count)\(suffix)"
    }

    func openURL(initial: Bool) -> String? {
        opens.append(initial)
        return "https://t.example/q/\(initial ? "TOP" : "BOTTOM")\(suffix)"
    }
}

/// What one rewrite produced.
struct RewriteResult: Equatable {
    var bytes: [UInt8]
    var statistics: RewriteStatistics
    var changed: Bool
    var links: [FoundLink]
    var opens: [Bool]

    /// The output as text, with the pixels shown as `[TOP]` and `[BOTTOM]`.
    var text: String {
        String(decoding: bytes, as: UTF8.self)
            .replacingAll(PixelMarkup.make("https://t.example/q/TOP"), with: "[TOP]")
            .replacingAll(PixelMarkup.make("https://t.example/q/BOTTOM"), with: "[BOTTOM]")
    }

    var targets: [String] { links.map(\.target) }
}

enum PixelMarkup {
    static func make(_ url: String) -> String {
        "<img src=\"\(url)\" width=\"1\" height=\"1\" border=\"0\" alt=\"\" style=\"height:1px !important;"
            + "width:1px !important;border-width:0 !important;margin:0 !important;padding:0 !important;"
            + "display:block !important\" />"
    }
}

/// Runs a rewriter over an input whole, byte by byte, and in random pieces, and checks that
/// every way of splitting the input gives the same result (the streaming contract).
enum Rewrite {
    enum Kind { case html, text }

    static func html(_ input: String, click: Bool = true, pixels: OpenPixelPlacement? = nil, domain: String = "t.example",
                     refuseEvery: Int? = nil, suffix: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> RewriteResult {
        run(Array(input.utf8), .html, click: click, pixels: pixels, domain: domain, refuseEvery: refuseEvery,
            suffix: suffix, sourceLocation: sourceLocation)
    }

    static func text(_ input: String, click: Bool = true, domain: String = "t.example", refuseEvery: Int? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation) -> RewriteResult {
        run(Array(input.utf8), .text, click: click, pixels: nil, domain: domain, refuseEvery: refuseEvery,
            suffix: "", sourceLocation: sourceLocation)
    }

    static func run(_ input: [UInt8], _ kind: Kind, click: Bool = true, pixels: OpenPixelPlacement? = nil,
                    domain: String = "t.example", refuseEvery: Int? = nil, suffix: String = "",
                    sourceLocation: SourceLocation = #_sourceLocation) -> RewriteResult {
        let once = { (pieces: [Range<Int>]) in
            rewrite(input, pieces: pieces, kind, click: click, pixels: pixels, domain: domain,
                    refuseEvery: refuseEvery, suffix: suffix)
        }
        let whole = once([0..<input.count])
        let byteByByte = once(input.indices.map { $0..<$0 + 1 })
        #expect(byteByByte == whole, "fed byte by byte", sourceLocation: sourceLocation)
        var random = SplitMix64(seed: UInt64(input.count))
        for _ in 0..<3 {
            let split = once(randomPieces(count: input.count, using: &random))
            #expect(split == whole, "fed in random pieces", sourceLocation: sourceLocation)
        }
        return whole
    }

    static func rewrite(_ input: [UInt8], pieces: [Range<Int>], _ kind: Kind, click: Bool = true,
                        pixels: OpenPixelPlacement? = nil, domain: String = "t.example", refuseEvery: Int? = nil,
                        suffix: String = "") -> RewriteResult {
        let urls = FakeURLMaker(refuseEvery: refuseEvery, suffix: suffix)
        let options = LinkRewriteOptions(clickTracking: click, openPixels: pixels, trackingDomain: domain)
        let rewriter: any PartRewriter = kind == .html
            ? HTMLRewriter(options: options, urls: urls) : TextRewriter(options: options, urls: urls)
        var out: [UInt8] = []
        input.withUnsafeBytes { buffer in
            for piece in pieces { rewriter.feed(UnsafeRawBufferPointer(rebasing: buffer[piece]), into: &out) }
        }
        rewriter.finish(into: &out)
        return RewriteResult(bytes: out, statistics: rewriter.statistics, changed: rewriter.changed,
                             links: urls.links, opens: urls.opens)
    }

    /// Pieces of 0 to 16 bytes (empty pieces included: `feed` must take them too).
    static func randomPieces(count: Int, using random: inout SplitMix64) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var start = 0
        while start < count {
            let length = min(Int(random.next() % 17), count - start)
            pieces.append(start..<start + length)
            start += length
        }
        return pieces
    }
}

/// A small seeded generator, so that random splits (and drawn message ids) are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RewriteStatistics {
    static func counts(tracked: Int = 0, skipped: [String: Int] = [:], pixels: Int = 0) -> RewriteStatistics {
        var statistics = RewriteStatistics()
        statistics.linksTracked = tracked
        statistics.linksSkipped = skipped
        statistics.pixels = pixels
        return statistics
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

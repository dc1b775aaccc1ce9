import Testing
import Tracking

/// `max_links` and `max_growth` stop the walk while a displayed part streams, not after it.
struct MIMEStreamingLimitTests {
    typealias T = MIMETestSupport

    static let html = [("Content-Type", "text/html")]

    /// One displayed part of `lines` lines, each with one "http".
    static func linkLines(_ lines: Int) -> [UInt8] {
        T.bytes(String(repeating: "<a href=\"http://example.com/\">x</a>\n", count: lines))
    }

    @Test func newDefaults() {
        let limits = RewriteLimits()
        #expect(limits.maxTokenBytes == 4096 && limits.maxGrowth == 10 && limits.growthAllowance == 256 * 1024)
        #expect(limits.reason(.growth) == "max_growth exceeded (10)")
        #expect(limits.reason(.tokenBytes) == "max_token_bytes exceeded (4096)")
    }

    @Test func allowedOutputSaturates() {
        let limits = RewriteLimits(maxGrowth: 1000, growthAllowance: 1 << 30)
        #expect(limits.allowedOutputBytes(bodyBytesIn: 100) == 100_000 + (1 << 30))
        #expect(limits.allowedOutputBytes(bodyBytesIn: .max) == .max)
        #expect(limits.allowedGrowthBytes(bodyBytesIn: 100) == 99_900 + (1 << 30))
        #expect(RewriteLimits(maxGrowth: 1, growthAllowance: 0).allowedGrowthBytes(bodyBytesIn: 5000) == 0)
    }

    @Test func linksStopTheWalkInsideThePart() throws {
        // 100,000 links in one part; the limit is 10. The rewriter must not see the whole part.
        let body = Self.linkLines(100_000)
        var rewriter: HTTPUppercasingPartRewriter?
        let result = T.run(headers: Self.html, body: body, chunkSizes: [65536], limits: RewriteLimits(maxLinks: 10)) { _ in
            let made = HTTPUppercasingPartRewriter()
            rewriter = made
            return made
        }
        #expect(result.exceededLimit == .links)
        guard case .unchanged(let reason) = result.outcome else {
            Issue.record("rewritten despite max_links")
            return
        }
        #expect(reason == "max_links exceeded (10)")
        let fed = try #require(rewriter).input.count
        #expect(fed <= 2 * 16 * 1024, "the rewriter was fed \(fed) of \(body.count) bytes")
        #expect(result.statistics.linksTracked > 10, "the log counts the links found up to the stop")
    }

    @Test func growthIsCheckedWhileStreaming() throws {
        // Each "http" becomes a 1000-byte string: 38 input bytes a line grow 26-fold.
        let body = Self.linkLines(20_000)
        var rewriter: InflatingPartRewriter?
        let limits = RewriteLimits(maxGrowth: 10, growthAllowance: 4096)
        let result = T.run(headers: Self.html, body: body, chunkSizes: [65536], limits: limits) { _ in
            let made = InflatingPartRewriter(by: 1000)
            rewriter = made
            return made
        }
        #expect(result.exceededLimit == .growth)
        guard case .unchanged(let reason) = result.outcome else {
            Issue.record("rewritten despite max_growth")
            return
        }
        #expect(reason == "max_growth exceeded (10)")
        let made = try #require(rewriter)
        #expect(made.input.count < 70_000, "the rewriter was fed \(made.input.count) of \(body.count) bytes")
        #expect(made.produced < 2_000_000, "the rewriter made \(made.produced) bytes before the stop")
    }

    @Test func growthUpToTheLimitIsRewritten() {
        // 3,600 bytes in, 13,200 out: exactly 2 x 3,600 + 6,000; one byte less of allowance is too little.
        let body = Self.linkLines(100)
        let fits = T.run(headers: Self.html, body: body, limits: RewriteLimits(maxGrowth: 2, growthAllowance: 6000)) { _ in
            InflatingPartRewriter(by: 100)
        }
        #expect(fits.exceededLimit == nil)
        #expect(fits.body?.count == body.count + 100 * 96)
        let over = T.run(headers: Self.html, body: body, limits: RewriteLimits(maxGrowth: 2, growthAllowance: 5999)) { _ in
            InflatingPartRewriter(by: 100)
        }
        #expect(over.exceededLimit == .growth)
    }

    @Test func aLinkRefusedForGrowthPassesTheMessage() {
        // A URL maker that ran out of growth says so with the limit's name; the walker stops at once.
        let result = T.run(headers: Self.html, body: Self.linkLines(3)) { _ in
            let rewriter = FramingPartRewriter(reportsChanged: true)
            rewriter.statistics.linksTracked = 2
            rewriter.statistics.skip("max_growth")
            return rewriter
        }
        #expect(result.exceededLimit == .growth)
        #expect(result.body == nil)
    }
}

/// Replaces every "http" by `by` bytes of "x", counting one tracked link each.
final class InflatingPartRewriter: PartRewriter {
    let replacement: [UInt8]
    private(set) var changed = false
    private(set) var statistics = RewriteStatistics()
    private(set) var input: [UInt8] = []
    private(set) var produced = 0
    private var pending: [UInt8] = []

    init(by size: Int) { replacement = Array(repeating: UInt8(ascii: "x"), count: size) }

    func feed(_ decoded: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        input += decoded
        pending += decoded
        var out: [UInt8] = []
        var i = 0
        while i + 4 <= pending.count {
            if pending[i] == UInt8(ascii: "h"), pending[i + 1] == UInt8(ascii: "t"), pending[i + 2] == UInt8(ascii: "t"),
               pending[i + 3] == UInt8(ascii: "p") {
                out += replacement
                statistics.linksTracked += 1
                changed = true
                i += 4
            } else {
                out.append(pending[i])
                i += 1
            }
        }
        pending.removeFirst(i)
        produced += out.count
        output += out
    }

    func finish(into output: inout [UInt8]) {
        produced += pending.count
        output += pending
        pending = []
    }
}

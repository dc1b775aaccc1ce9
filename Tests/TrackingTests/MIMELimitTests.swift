import Testing
import Tracking

struct MIMELimitTests {
    typealias T = MIMETestSupport

    static let threeParts = "--b\nContent-Type: text/plain\n\nhttp://1 http://2\n--b\nContent-Type: text/plain\n\nhttp://3\n--b\nContent-Type: text/plain\n\nhttp://4\n--b--\n"
    static let headers = [("Content-Type", "multipart/mixed; boundary=b")]

    private func expectPassed(_ result: MIMERewriteResult, _ limit: RewriteLimits.Kind, _ value: Int) {
        #expect(result.exceededLimit == limit)
        guard case .unchanged(let reason) = result.outcome else {
            Issue.record("rewritten despite \(limit)")
            return
        }
        #expect(reason == "\(limit.rawValue) exceeded (\(value))")
    }

    @Test func defaults() {
        let limits = RewriteLimits()
        #expect(limits.maxMessageBytes == 50 * 1024 * 1024)
        #expect(limits.maxDepth == 20 && limits.maxParts == 500 && limits.maxLinks == 5000)
    }

    @Test func parts() {
        expectPassed(T.run(headers: Self.headers, body: T.bytes(Self.threeParts), limits: RewriteLimits(maxParts: 2)), .parts, 2)
        #expect(T.run(headers: Self.headers, body: T.bytes(Self.threeParts), limits: RewriteLimits(maxParts: 3)).partsRewritten == 3)
    }

    @Test func depth() {
        let nested = "--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nhttp://x\n--c--\n--b--\n"
        expectPassed(T.run(headers: Self.headers, body: T.bytes(nested), limits: RewriteLimits(maxDepth: 1)), .depth, 1)
        #expect(T.run(headers: Self.headers, body: T.bytes(nested), limits: RewriteLimits(maxDepth: 2)).partsRewritten == 1)
    }

    @Test func messageBytes() {
        let body = T.bytes(Self.threeParts)
        let headerBytes = "Content-Type".utf8.count + Self.headers[0].1.utf8.count + 4
        let exact = RewriteLimits(maxMessageBytes: headerBytes + body.count)
        #expect(T.run(headers: Self.headers, body: body, chunkSizes: [10], limits: exact).partsRewritten == 3)
        let tooSmall = RewriteLimits(maxMessageBytes: headerBytes + body.count - 1)
        expectPassed(T.run(headers: Self.headers, body: body, chunkSizes: [10], limits: tooSmall), .messageBytes, tooSmall.maxMessageBytes)
    }

    @Test func links() {
        // HTTPUppercasingPartRewriter counts each "http" as a tracked link: 4 in all.
        expectPassed(T.run(headers: Self.headers, body: T.bytes(Self.threeParts), limits: RewriteLimits(maxLinks: 3)), .links, 3)
        let enough = T.run(headers: Self.headers, body: T.bytes(Self.threeParts), limits: RewriteLimits(maxLinks: 4))
        #expect(enough.statistics.linksTracked == 4)
        #expect(enough.exceededLimit == nil)
    }

    @Test func skippedLinksCount() {
        let result = T.run(headers: Self.headers, body: T.bytes(Self.threeParts), limits: RewriteLimits(maxLinks: 2)) { _ in
            let rewriter = FramingPartRewriter(reportsChanged: true)
            rewriter.statistics.skip("not_http")
            return rewriter
        }
        expectPassed(result, .links, 2)
    }
}

import Foundation
import Testing
import Tracking

/// Runs the walker over every real message in the shared corpus (many malformed on purpose).
/// The Python oracle (scratch `oracle/check.py`) checks the decoded results; this checks
/// what Swift alone can: nothing changes unless a rewriter says so, chunking never matters,
/// and re-encoding is stable.
struct MIMECorpusTests {
    typealias T = MIMETestSupport

    static let directory = "/work/shared/corpus/messages"

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".eml") }.sorted()
    }()

    static func message(_ name: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: "\(directory)/\(name)") ?? Data())
    }

    @Test(.enabled(if: !files.isEmpty, "corpus directory \(directory) is absent: corpus tests skipped"))
    func corpusIsThere() {
        #expect(Self.files.count >= 100)
    }

    @Test(.enabled(if: !files.isEmpty, "corpus absent"), arguments: files)
    func unchangedWhenNothingIsRewritten(_ name: String) {
        let (headers, body) = T.split(message: Self.message(name))
        let result = T.run(headers: headers, body: body, chunkSizes: [65536]) { _ in FramingPartRewriter(reportsChanged: false) }
        guard case .unchanged = result.outcome else {
            Issue.record("\(name) rewritten by a rewriter that changed nothing")
            return
        }
        #expect(result.partsRewritten == 0)
    }

    @Test(.enabled(if: !files.isEmpty, "corpus absent"), arguments: files)
    func chunkingNeverMatters(_ name: String) {
        let (headers, body) = T.split(message: Self.message(name))
        let marker = { (_: DisplayedPart) -> (any PartRewriter)? in FramingPartRewriter(prefix: "<<marker http://x>>") }
        let whole = T.run(headers: headers, body: body, makeRewriter: marker)
        let milterSized = T.run(headers: headers, body: body, chunkSizes: [65536], makeRewriter: marker)
        let odd = T.run(headers: headers, body: body, chunkSizes: [1, 97, 2, 4093, 13], makeRewriter: marker)
        let sameMilterSized = milterSized.body == whole.body, sameOdd = odd.body == whole.body
        #expect(sameMilterSized)
        #expect(sameOdd)
        #expect(odd.partsRewritten == whole.partsRewritten)
    }

    @Test(.enabled(if: !files.isEmpty, "corpus absent"), arguments: files)
    func reencodingIsStable(_ name: String) throws {
        let (headers, body) = T.split(message: Self.message(name))
        let identity = { (_: DisplayedPart) -> (any PartRewriter)? in FramingPartRewriter(reportsChanged: true) }
        let first = T.run(headers: headers, body: body, makeRewriter: identity)
        guard case .rewritten(let sink, let changes) = first.outcome else { return }
        let once = try sink.joined()
        // A single part whose lines were already over 998 octets switches to quoted-printable.
        let newHeaders = headers.filter { $0.name.lowercased() != "content-transfer-encoding" } + changes
        let second = T.run(headers: changes.isEmpty ? headers : newHeaders, body: once, makeRewriter: identity)
        let same = second.body == once
        #expect(same, "\(name): a second pass changed the re-encoded body")
        #expect(second.partsRewritten == first.partsRewritten)
    }
}

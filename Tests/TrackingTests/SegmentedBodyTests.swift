import Foundation
import Testing
import Tracking

/// The walker's output in segments: the same bytes as the one growing array it replaced,
/// wherever segment boundaries fall.
struct SegmentedBodyTests {
    typealias T = MIMETestSupport

    /// The output as it was before segments: one array, grown by appending.
    final class ArrayBody: BodySink {
        var bytes: [UInt8] = []
        var count: Int { bytes.count }
        func append(_ piece: UnsafeRawBufferPointer) { bytes.append(contentsOf: piece) }
        func removeAll() { bytes = [] }
        func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws { try bytes.withUnsafeBytes { try body($0) } }
    }

    @Test func appendsKeepOrderAcrossSegmentBoundaries() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 256) }
        for segmentBytes in [1, 7, 64, 4096, SegmentedBody.defaultSegmentBytes] {
            for pieceSizes in [[1], [3, 50, 7], [9999], [10_000]] {
                let body = SegmentedBody(segmentBytes: segmentBytes)
                var offset = 0, index = 0
                data.withUnsafeBytes { all in
                    while offset < all.count {
                        let end = min(all.count, offset + pieceSizes[index % pieceSizes.count])
                        body.append(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                        offset = end
                        index += 1
                    }
                }
                #expect(body.count == data.count)
                #expect(body.bytes == data, "segments of \(segmentBytes), pieces \(pieceSizes)")
                var sizes: [Int] = []
                body.forEachChunk { sizes.append($0.count) }
                // Every segment is full except the last: no byte of capacity lost between them.
                #expect(sizes.dropLast().allSatisfy { $0 == segmentBytes } && (sizes.last ?? 0) <= segmentBytes)
                body.removeAll()
                #expect(body.count == 0 && body.bytes.isEmpty)
            }
        }
    }

    @Test func sizeHintChangesNoByte() {
        let data = Array(repeating: UInt8(ascii: "x"), count: 300_000)
        for hint in [nil, 0, 1, 1000, 300_000, 1 << 40] as [Int?] {
            let body = SegmentedBody(sizeHint: hint)
            data.withUnsafeBytes { body.append($0) }
            #expect(body.bytes == data)
        }
    }

    /// Every corpus message, rewritten into the old array and into segments of several
    /// sizes, fed in milter-sized and odd pieces: byte for byte the same body.
    @Test(.enabled(if: !MIMECorpusTests.files.isEmpty, "corpus absent"))
    func corpusOutputIsTheSameAsTheArrays() throws {
        var rewritten = 0
        for name in MIMECorpusTests.files {
            let (headers, body) = T.split(message: MIMECorpusTests.message(name))
            let array = ArrayBody()
            let reference = T.run(headers: headers, body: body, chunkSizes: [65535], output: array)
            let expected = reference.body
            if expected != nil { rewritten += 1 }
            for (segmentBytes, chunks) in [(1, [65535]), (7, [1000, 3]), (SegmentedBody.defaultSegmentBytes, [65535])] {
                if segmentBytes == 1 && body.count > 200_000 { continue }  // one array per byte: slow, proves nothing more
                let result = T.run(headers: headers, body: body, chunkSizes: chunks, output: SegmentedBody(segmentBytes: segmentBytes))
                #expect(result.body == expected, "\(name): segments of \(segmentBytes)")
                #expect(result.notes == reference.notes && result.partsRewritten == reference.partsRewritten)
            }
        }
        #expect(rewritten >= 50, "the corpus should exercise rewritten bodies")
    }

    /// A sink that refuses bytes: the message passes unchanged, and the result says why.
    @Test func aRefusingSinkPassesTheMessageUnchanged() throws {
        struct Full: Error, CustomStringConvertible { var description: String { "disk full" } }
        final class FullAfter: BodySink {
            let limit: Int
            var kept = SegmentedBody()
            var removed = false
            init(_ limit: Int) { self.limit = limit }
            var count: Int { kept.count }
            func append(_ bytes: UnsafeRawBufferPointer) throws {
                guard kept.count + bytes.count <= limit else { throw Full() }
                kept.append(bytes)
            }
            func removeAll() { removed = true; kept.removeAll() }
            func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws { try kept.forEachChunk(body) }
        }
        let headers = [("Content-Type", "multipart/mixed; boundary=\"b\"")]
        let body = T.bytes("--b\r\nContent-Type: text/html\r\n\r\n<a href=\"http://x/\">x</a>\r\n--b\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n" + String(repeating: "A", count: 5000) + "\r\n--b--\r\n")
        let sink = FullAfter(1000)
        let result = T.run(headers: headers, body: body, chunkSizes: [100], output: sink)
        guard case .unchanged(let reason) = result.outcome else { Issue.record("rewritten"); return }
        #expect(reason == "the new body could not be kept: disk full")
        #expect(result.outputFailure == "disk full")
        #expect(sink.removed && sink.count == 0, "what was built is dropped at once")
        // The same message with room enough is rewritten.
        #expect(T.run(headers: headers, body: body, chunkSizes: [100], output: FullAfter(1 << 20)).body != nil)
    }
}

import Tracking

/// Wraps a real part rewriter and keeps what went in and what came out.
final class RecordingRewriter: PartRewriter {
    let inner: any PartRewriter
    let part: DisplayedPart
    private(set) var input: [UInt8] = []
    private(set) var output: [UInt8] = []

    init(_ inner: any PartRewriter, part: DisplayedPart) {
        self.inner = inner
        self.part = part
    }

    func feed(_ decoded: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        input += decoded
        let start = output.count
        inner.feed(decoded, into: &output)
        self.output += output[start...]
    }

    func finish(into output: inout [UInt8]) {
        let start = output.count
        inner.finish(into: &output)
        self.output += output[start...]
    }

    var changed: Bool { inner.changed }
    var statistics: RewriteStatistics { inner.statistics }
}

/// Keeps the decoded content it is given and changes nothing.
final class CapturingRewriter: PartRewriter {
    let part: DisplayedPart
    private(set) var input: [UInt8] = []
    init(part: DisplayedPart) { self.part = part }
    func feed(_ decoded: UnsafeRawBufferPointer, into output: inout [UInt8]) { input += decoded }
    func finish(into output: inout [UInt8]) {}
    var changed: Bool { false }
    var statistics: RewriteStatistics { RewriteStatistics() }
}

/// Drops the content of every displayed part: what the walker then writes is the message's
/// skeleton, every byte that is not displayed text.
final class EmptyingRewriter: PartRewriter {
    func feed(_ decoded: UnsafeRawBufferPointer, into output: inout [UInt8]) {}
    func finish(into output: inout [UInt8]) {}
    var changed: Bool { true }
    var statistics: RewriteStatistics { RewriteStatistics() }
}

import EventSpool
import Posix
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An output that takes part of one line and can then be neither written nor cut back
/// (a failing device), or takes everything.
final class BrokenOutput: EventOutput, @unchecked Sendable {
    var data: [UInt8] = []
    let acceptsBeforeFailing: Int?

    init(acceptsBeforeFailing: Int?) { self.acceptsBeforeFailing = acceptsBeforeFailing }

    func append(_ bytes: UnsafeRawBufferPointer) throws(PartialWriteError) {
        guard let limit = acceptsBeforeFailing else { return data += bytes }
        data += bytes.prefix(limit)
        throw PartialWriteError(written: limit, error: PosixError(call: "write", errno: EIO))
    }

    func length() -> Int? { data.count }
    func truncate(to length: Int) -> Bool { false }
}

/// What the spool does with a torn line: the output is given up and the line written whole
/// to the next one.
struct MovingTarget: LineTarget {
    var outputs: [any EventOutput]
    var torn = 0

    mutating func destination(forLineOf bytes: Int) -> LineDestination { .output(outputs[0]) }
    func wrote(_ bytes: Int) {}
    mutating func failed(torn: Bool) {
        guard torn else { return }
        self.torn += 1
        outputs.removeFirst()
    }
    var finishesTornLines: Bool { false }
}

@Suite("Whole lines over a failing output")
struct LineAppenderTests {
    @Test("a line torn in an output that cannot be cut back is written whole to the next one, in order")
    func tornLineMovesOn() {
        let broken = BrokenOutput(acceptsBeforeFailing: 5)
        let good = BrokenOutput(acceptsBeforeFailing: nil)
        var target = MovingTarget(outputs: [broken, good])
        var appender = LineAppender(what: "test output", metadata: [:], logger: nil)
        appender.write(Array("{\"n\":1}\n".utf8), to: &target)
        appender.write(Array("{\"n\":2}\n".utf8), to: &target)
        #expect(broken.data == Array("{\"n\":".utf8))  // the fragment, after which nothing is glued
        #expect(good.data == Array("{\"n\":1}\n{\"n\":2}\n".utf8))
        #expect(target.torn == 1)
        #expect(appender.status == EventWriterStatus(failedWrites: 1, droppedLines: 0, pendingLines: 0))
    }
}

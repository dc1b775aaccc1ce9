import EventSpool
import Foundation
import Posix
import Testing
@testable import Tracker

/// An output that takes bytes as scripted: whole, partly, or not at all, with or without
/// the ability to be cut back (a file can, a pipe cannot).
final class ScriptedOutput: EventOutput, @unchecked Sendable {
    enum Step { case accept, refuse, acceptPart(Int) }
    var steps: [Step]
    var data: [UInt8] = []
    let canTruncate: Bool

    init(_ steps: [Step], canTruncate: Bool) {
        self.steps = steps
        self.canTruncate = canTruncate
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(PartialWriteError) {
        let step = steps.isEmpty ? .accept : steps.removeFirst()
        switch step {
        case .accept:
            data += bytes
        case .refuse:
            throw PartialWriteError(written: 0, error: PosixError(call: "write", errno: ENOSPC))
        case .acceptPart(let n):
            data += bytes.prefix(n)
            throw PartialWriteError(written: n, error: PosixError(call: "write", errno: EFBIG))
        }
    }

    func length() -> Int? { canTruncate ? data.count : nil }

    func truncate(to length: Int) -> Bool {
        guard canTruncate, length <= data.count else { return false }
        data.removeLast(data.count - length)
        return true
    }

    var lines: [String] { String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}

@Suite("Event lines survive a failing events file")
struct EventWriterFailureTests {
    func writer(_ output: ScriptedOutput, backlogBytes: Int = 1 << 20) -> FileEventWriter {
        FileEventWriter(output: output, name: "scripted", ownsFile: false, logger: nil, backlogBytes: backlogBytes)
    }

    @Test("refused writes are kept, counted, and written out in order once the file takes writes again")
    func refusedThenRecovered() {
        let output = ScriptedOutput([.accept, .refuse, .refuse], canTruncate: true)
        let events = writer(output)
        events.write(line: #"{"n":1}"#)
        events.write(line: #"{"n":2}"#)  // refused: kept
        events.write(line: #"{"n":3}"#)  // backlog first: refused again, both kept
        #expect(events.status == EventWriterStatus(failedWrites: 2, droppedLines: 0, pendingLines: 2))
        #expect(output.lines == [#"{"n":1}"#, ""])
        events.write(line: #"{"n":4}"#)
        #expect(output.lines == [#"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#, #"{"n":4}"#, ""])
        #expect(events.status.pendingLines == 0)
    }

    @Test("a partial write is cut back, so the file never holds half a line", arguments: [1, 5, 8])
    func partialCutBack(written: Int) {
        let output = ScriptedOutput([.accept, .acceptPart(written)], canTruncate: true)
        let events = writer(output)
        events.write(line: #"{"n":1}"#)
        events.write(line: #"{"n":2}"#)
        #expect(output.lines == [#"{"n":1}"#, ""])
        #expect(events.retryPending())
        #expect(output.lines == [#"{"n":1}"#, #"{"n":2}"#, ""])
    }

    @Test("where the output cannot be cut back, the rest of the line goes out before anything else")
    func partialCompleted() {
        let output = ScriptedOutput([.acceptPart(3), .refuse], canTruncate: false)
        let events = writer(output)
        events.write(line: #"{"n":1}"#)  // 3 bytes out, the rest owed
        events.write(line: #"{"n":2}"#)  // the rest refused: both kept, the rest first
        #expect(events.status.pendingLines == 2)
        #expect(events.retryPending())
        #expect(output.lines == [#"{"n":1}"#, #"{"n":2}"#, ""])
    }

    @Test("past the backlog's bound lines are given up and counted, the kept ones still arrive")
    func boundedBacklog() {
        let output = ScriptedOutput(Array(repeating: .refuse, count: 100), canTruncate: true)
        let line = String(repeating: "x", count: 99)  // 100 bytes with the newline
        let events = writer(output, backlogBytes: 250)
        for _ in 0..<5 { events.write(line: line) }
        let status = events.status
        #expect(status.pendingLines == 2)
        #expect(status.droppedLines == 3)
        output.steps = []
        #expect(events.retryPending())
        #expect(output.lines == [line, line, ""])
    }

    @Test("a real device that refuses every write (/dev/full) loses no line that fits the backlog")
    func devFull() throws {
        let events = try FileEventWriter(appendingTo: "/dev/full", logger: nil, backlogBytes: 1 << 16)
        for n in 0..<10 { events.write(line: #"{"n":\#(n)}"#) }
        let status = events.status
        #expect(status.pendingLines == 10)
        #expect(status.failedWrites >= 10)
        #expect(status.droppedLines == 0)
        #expect(!events.retryPending())
    }

    @Test("a file left ending inside a line gets a newline first, so the next event is not glued to it")
    func tornFileIsSealed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("torn-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "{\"n\":1}\n{\"n\":".write(toFile: path, atomically: true, encoding: .utf8)
        let events = try FileEventWriter(appendingTo: path)
        events.write(line: #"{"n":3}"#)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == [#"{"n":1}"#, #"{"n":"#, #"{"n":3}"#])
    }
}

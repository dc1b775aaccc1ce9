import EventSpool
import Foundation
import Posix
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Reading the spool: closed segments, whole lines, checkpoints")
struct SpoolReaderTests {
    let name = "seg-0000000000000001-milter-42-000000.jsonl"

    @Test("a segment is closed exactly when nobody holds its lock")
    func closedDetection() throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        _ = try spool.writer()
        try spool.write(name, "{}\n")
        let segment = try #require(SpoolSegment(name: name))
        #expect(try spool.directory.isClosed(segment))
        let fd = try Posix.open(spool.directory.path(of: segment), O_WRONLY | O_APPEND)
        #expect(try Posix.tryLock(fd, .exclusive))
        #expect(try spool.directory.isClosed(segment) == false)
        Posix.close(fd)
        #expect(try spool.directory.isClosed(segment))
    }

    @Test("bytes after the last newline are left for a later read")
    func partialTrailingLine() throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        _ = try spool.writer()
        try spool.write(name, "{\"a\":1}\n{\"b\":2}\n{\"c\":")
        let segment = try #require(SpoolSegment(name: name))
        let first = try spool.directory.readLines(segment, from: 0, maxBytes: 1 << 20)
        #expect(first.lines.map { String(decoding: $0, as: UTF8.self) } == [#"{"a":1}"#, #"{"b":2}"#])
        #expect(first.endOffset == 16)
        try spool.write(name, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n")
        let next = try spool.directory.readLines(segment, from: first.endOffset, maxBytes: 1 << 20)
        #expect(next.lines.map { String(decoding: $0, as: UTF8.self) } == [#"{"c":3}"#])
        #expect(next.endOffset == 24)
        #expect(try spool.directory.readLines(segment, from: 24, maxBytes: 1 << 20).lines.isEmpty)
    }

    @Test("a read stops at the byte bound on a line boundary, but returns a longer first line whole")
    func boundedRead() throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        _ = try spool.writer()
        try spool.write(name, "aaaa\nbbbb\ncccccccccccccccccccc\n")
        let segment = try #require(SpoolSegment(name: name))
        let first = try spool.directory.readLines(segment, from: 0, maxBytes: 12)
        #expect(first.lines.map { String(decoding: $0, as: UTF8.self) } == ["aaaa", "bbbb"])
        let long = try spool.directory.readLines(segment, from: first.endOffset, maxBytes: 5)
        #expect(long.lines.map { String(decoding: $0, as: UTF8.self) } == ["cccccccccccccccccccc"])
        #expect(long.endOffset == 31)
    }

    @Test("a line past the line limit (damage) is skipped and counted")
    func oversizedLine() throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        _ = try spool.writer()
        try spool.write(name, String(repeating: "x", count: SpoolDirectory.maxLineBytes + 10) + "\n{}\n")
        let segment = try #require(SpoolSegment(name: name))
        let skipped = try spool.directory.readLines(segment, from: 0, maxBytes: 1 << 16)
        #expect(skipped.lines.isEmpty)
        #expect(skipped.skippedBytes == SpoolDirectory.maxLineBytes + 11)
        let rest = try spool.directory.readLines(segment, from: skipped.endOffset, maxBytes: 1 << 16)
        #expect(rest.lines == [Array("{}".utf8)])
    }

    @Test("segments list in time order; other files are not segments")
    func listing() throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        _ = try spool.writer()
        try spool.write("seg-0000000000000002-tracker-7-000000.jsonl", "")
        try spool.write("seg-0000000000000001-milter-9-000003.jsonl", "")
        try spool.write("ship-postgres.checkpoint", "")
        try spool.write("tmp-seg-0000000000000003-milter-9-000004.jsonl", "")
        try spool.write("seg-123-milter-9-000003.jsonl", "")
        #expect(try spool.directory.segments().map(\.name) == [
            "seg-0000000000000001-milter-9-000003.jsonl", "seg-0000000000000002-tracker-7-000000.jsonl",
        ])
    }

    @Test("a checkpoint saves and loads per segment, leaves no temporary file, and refuses damage")
    func checkpointRoundTrip() throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        _ = try spool.writer()
        let store = try CheckpointStore(spool: spool.directory, sink: "webhook-main")
        #expect(store.path == spool.path + "/ship-webhook-main.checkpoint")
        #expect(try store.load() == SpoolCheckpoint())
        let a = try #require(SpoolSegment(name: "seg-0000000000000001-milter-9-000003.jsonl"))
        let b = try #require(SpoolSegment(name: "seg-0000000000000002-tracker-7-000000.jsonl"))
        var checkpoint = SpoolCheckpoint()
        checkpoint.set(1234, for: a)
        checkpoint.set(99, for: b)
        try store.save(checkpoint)
        #expect(try store.load() == checkpoint)
        #expect(try store.load().offset(of: a) == 1234)
        checkpoint.keepOnly([b])
        try store.save(checkpoint)
        #expect(try store.load().offsets == [b.name: 99])
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path).sorted() == ["ship-webhook-main.checkpoint"])
        try spool.write("ship-webhook-main.checkpoint", "garbage\n")
        #expect(throws: SpoolError.self) { try store.load() }
        #expect(throws: SpoolError.self) { try CheckpointStore(spool: spool.directory, sink: "../etc") }
    }
}

@Suite("A writer killed with SIGKILL")
struct KilledWriterTests {
    @Test("its segment becomes closed, and only its whole lines are read")
    func killedWriter() async throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        _ = try spool.writer()
        let name = "seg-0000000000000001-tracker-1-000000.jsonl"
        let segment = try #require(SpoolSegment(name: name))
        let file = spool.directory.path(of: segment)
        // A writer as the spool format describes it: the lock, a line, half a line, then it
        // hangs until killed (exec keeps the descriptor and the lock in the same process).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"exec 9>>"$1"; flock -x 9; printf '{"n":1}\n{"n":' >&9; exec sleep 60"#, "sh", file]
        try process.run()
        var locked = false
        for _ in 0..<200 where !locked {
            try await Task.sleep(for: .milliseconds(25))
            let closed = try spool.directory.isClosed(segment)
            locked = (try? Posix.fileSize(atPath: file)) == 13 && !closed
        }
        #expect(locked)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try spool.directory.isClosed(segment))
        let read = try spool.directory.readLines(segment, from: 0, maxBytes: 1 << 20)
        #expect(read.lines == [Array(#"{"n":1}"#.utf8)])
        #expect(read.endOffset == 8)
    }
}

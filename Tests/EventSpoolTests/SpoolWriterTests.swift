import EventSpool
import Foundation
import Posix
import Testing

@Suite("The spool writer: segments, rotation, the size bound")
struct SpoolWriterTests {
    @Test("segments are named as docs/events.md says, rotate at segment_bytes, and hold every line in order")
    func rotation() throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        let writer = try spool.writer(segmentBytes: 1000)
        for n in 0..<35 { writer.append(eventLine(n)) }
        let segments = try spool.directory.segments()
        #expect(segments.count == 4)  // 10 lines of 100 bytes per segment
        for segment in segments {
            #expect(segment.name.range(of: #"^seg-\d{16}-milter-\d+-\d{6}\.jsonl$"#, options: .regularExpression) != nil)
            #expect(segment.pid == Posix.processID)
            #expect(try spool.directory.size(of: segment)! <= 1000)
        }
        #expect(segments.map(\.sequence) == [0, 1, 2, 3])
        #expect(try spool.allLines().map(number) == Array(0..<35))
        #expect(writer.status.appendedEvents == 35)
        #expect(writer.status.bytes == 3500)
        // Only the segment being written is locked.
        #expect(try segments.dropLast().allSatisfy { try spool.directory.isClosed($0) })
        #expect(try spool.directory.isClosed(segments[3]) == false)
        writer.close()
        #expect(try spool.directory.isClosed(segments[3]))
    }

    @Test("drop_oldest keeps the spool under max_bytes by deleting the oldest closed segments, and counts what it lost")
    func dropOldest() throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        let writer = try spool.writer(maxBytes: 2000, segmentBytes: 500)
        for n in 0..<100 { writer.append(eventLine(n)) }
        let status = writer.status
        #expect(try spool.directory.totalBytes() <= 2000)
        #expect(status.appendedEvents == 100)
        #expect(status.droppedSegments > 0)
        let kept = try spool.allLines().compactMap(number)
        // What is left is the newest events, contiguous; what went is counted.
        #expect(kept == Array((100 - kept.count)..<100))
        #expect(status.dropped(.oldest) == 100 - kept.count)
        #expect(status.dropped(.full) == 0)
    }

    @Test("drop_oldest never deletes a segment another writer still holds; with nothing closed left, new events are dropped")
    func dropOldestSparesLocked() throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        let other = try spool.writer(maxBytes: 1 << 20, segmentBytes: 1 << 20, producer: .tracker)
        for n in 0..<15 { other.append(eventLine(1000 + n)) }
        let writer = try spool.writer(maxBytes: 2000, segmentBytes: 1000)
        for n in 0..<40 { writer.append(eventLine(n)) }
        let lines = try spool.allLines().compactMap(number)
        // The other writer's segment stays whole; this writer's own open segment is not
        // deleted either, so past 5 lines there is nothing closed to free.
        #expect(lines.filter { $0 >= 1000 } == Array(1000..<1015))
        #expect(lines.filter { $0 < 1000 } == Array(0..<5))
        #expect(try spool.directory.totalBytes() == 2000)
        #expect(writer.status.dropped(.full) == 35)
        #expect(writer.status.droppedSegments == 0)
    }

    @Test("stop_recording keeps what is spooled and drops new events; recording resumes once the shipper made room")
    func stopRecording() async throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        let writer = try spool.writer(maxBytes: 1000, segmentBytes: 500, whenFull: .stopRecording)
        for n in 0..<15 { writer.append(eventLine(n)) }
        #expect(try spool.allLines().compactMap(number) == Array(0..<10))
        #expect(writer.status.dropped(.full) == 5)
        #expect(writer.status.droppedSegments == 0)
        // Both segments are full, so both are closed. The shipper deletes the older one; the
        // writer notices within a second.
        let closed = try spool.directory.segments().filter { try spool.directory.isClosed($0) }
        #expect(closed.count == 2)
        try spool.directory.delete(closed[0])
        try await Task.sleep(for: .milliseconds(1100))
        writer.append(eventLine(99))
        #expect(try spool.allLines().compactMap(number) == Array(5..<10) + [99])
    }

    @Test("a flood against a full spool logs one line, not one per event, and one when it takes events again")
    func fullLogIsRateLimited() async throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        let log = LogRecords()
        let writer = try spool.writer(maxBytes: 1000, segmentBytes: 500, whenFull: .stopRecording, logger: log.logger)
        for n in 0..<5000 { writer.append(eventLine(n)) }
        #expect(writer.status.dropped(.full) == 4990)
        let full = log.messages(containing: "event spool full")
        #expect(full.count == 1)
        #expect(full.first?.level == .error)
        #expect(full.first?.metadata["reason"] == "when_full is stop_recording")
        try spool.directory.delete(try spool.directory.segments()[0])
        try await Task.sleep(for: .milliseconds(1100))
        writer.append(eventLine(1))
        #expect(log.messages(containing: "event spool takes events again").count == 1)
        #expect(log.messages(containing: "event spool full").count == 1)
    }

    @Test("a missing spool directory (and its parents) is made with mode 0750; an unwritable one is refused with what to do")
    func directory() throws {
        let spool = TemporarySpool()
        defer { spool.remove() }
        let nested = TemporarySpool(path: spool.path + "/state/events")
        _ = try nested.writer()
        var info = stat()
        #expect(stat(nested.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o750 & ~currentUmask())
        #expect(throws: SpoolError.self) {
            _ = try SpoolWriter(directory: "/proc/no-such-spool", producer: .milter,
                                limits: .init(maxBytes: 1 << 20, segmentBytes: 1 << 16, whenFull: .dropOldest), logger: nil)
        }
    }

    func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }
}

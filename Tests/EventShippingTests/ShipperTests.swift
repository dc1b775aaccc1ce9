import Foundation
import Testing
import TrackingRuntime
@testable import EventShipping

@Suite("Shipper over a real spool directory")
struct ShipperTests {
    static func ids(_ range: Range<Int>) -> [String] { range.map { String(format: "%032x", $0) } }

    @Test("batches by count, in order, with ids from segment, offset and count; the shipped segment is deleted")
    func batchingByCount() async throws {
        let spool = try TestSpool()
        let lines = (0..<25).map { TestSpool.line($0) }
        let segment = spool.closedSegment(lines)
        let sink = RecordingSink()
        let outcome = await spool.shipper([sink]) { $0.batchMaxEvents = 10 }.run(.once)
        #expect(outcome == [.finished])
        #expect(sink.batches.map(\.events.count) == [10, 10, 5])
        #expect(sink.batches.flatMap { $0.events.map(\.eventID) } == Self.ids(0..<25))
        let width = lines[0].utf8.count + 1
        #expect(sink.batches.map(\.id) == [
            BatchID.make(segment: segment, offset: 0, count: 10), BatchID.make(segment: segment, offset: 10 * width, count: 10),
            BatchID.make(segment: segment, offset: 20 * width, count: 5),
        ])
        #expect(spool.segmentNames.isEmpty, "a closed segment every sink passed is deleted")
        #expect(spool.inFlight() == nil, "nothing is left in flight")
    }

    @Test("batches by bytes: no batch is larger than batch_max_bytes; a larger event goes alone")
    func batchingByBytes() async throws {
        let spool = try TestSpool()
        var lines = (0..<20).map { TestSpool.line($0, pad: 150) }
        lines.insert(TestSpool.line(99, pad: 3000), at: 7)
        spool.closedSegment(lines)
        let sink = RecordingSink()
        await spool.shipper([sink]) { $0.batchMaxBytes = 1024 }.run(.once)
        let sizes = sink.batches.map { $0.events.reduce(0) { $0 + $1.json.count + 1 } }
        #expect(sink.batches.flatMap { $0.events.map(\.eventID) } == Self.ids(0..<7) + Self.ids(99..<100) + Self.ids(7..<20))
        #expect(sizes.filter { $0 > 1024 }.count == 1)
        #expect(sink.batches.contains { $0.events.count == 1 && $0.events[0].eventID == Self.ids(99..<100)[0] })
        #expect(sizes.allSatisfy { $0 > 1024 || $0 + lines[0].utf8.count + 1 > 1024 || $0 == sizes.last }, "batches are filled: \(sizes)")
    }

    @Test("a batch that is not full waits batch_max_seconds in an open segment, then goes")
    func batchingByTime() async throws {
        let spool = try TestSpool()
        let segment = spool.openSegment()
        segment.append((0..<3).map { TestSpool.line($0) })
        let sink = RecordingSink()
        let shipper = spool.shipper([sink]) { $0.batchMaxSeconds = 1 }
        let started = ContinuousClock.now
        let running = Task { await shipper.run() }
        #expect(await eventually(5) { !sink.batches.isEmpty })
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(900) && waited < .seconds(4), "sent after \(waited)")
        #expect(sink.batches.first?.events.count == 3)
        // More lines in the same open segment: the next partial batch, after its own wait.
        segment.append((3..<5).map { TestSpool.line($0) })
        #expect(await eventually(5) { sink.batches.count == 2 })
        #expect(sink.delivered(afterFailing: 0) == Self.ids(0..<5))
        #expect(spool.segmentNames == [segment.name], "an open segment is never deleted")
        shipper.stop()
        _ = await running.value
        segment.close()
    }

    @Test("a failed batch is retried with the same id and events; the checkpoint moves only after success")
    func retries() async throws {
        let spool = try TestSpool()
        spool.closedSegment((0..<4).map { TestSpool.line($0) })
        let sink = RecordingSink(failures: 2)
        let shipper = spool.shipper([sink])
        let running = Task { await shipper.run() }
        #expect(await eventually(10) { sink.batches.count == 3 })
        shipper.stop()
        _ = await running.value
        let batches = sink.batches
        #expect(Set(batches.map(\.id)).count == 1)
        #expect(batches.allSatisfy { $0.events.map(\.eventID) == Self.ids(0..<4) })
        #expect(spool.segmentNames.isEmpty)
    }

    @Test("after a stop mid-retry, a new shipper re-sends exactly that batch under its id, though more was spooled")
    func restartKeepsBatch() async throws {
        let spool = try TestSpool()
        let segment = spool.openSegment()
        segment.append((0..<3).map { TestSpool.line($0) })
        let failing = RecordingSink(failures: 1000)
        let first = spool.shipper([failing]) { $0.batchMaxSeconds = 0 }
        let running = Task { await first.run() }
        #expect(await eventually(5) { !failing.batches.isEmpty })
        first.stop()
        _ = await running.value
        let failedID = try #require(failing.batches.first?.id)
        #expect(spool.inFlight()?.count == 3)
        #expect(try spool.checkpointOffset(segment.name) == 0, "nothing delivered: the checkpoint did not move")
        segment.append((3..<8).map { TestSpool.line($0) })
        segment.close()
        let sink = RecordingSink()
        await spool.shipper([sink]) { $0.batchMaxSeconds = 0 }.run(.once)
        #expect(sink.batches.first?.id == failedID)
        #expect(sink.batches.first?.events.map(\.eventID) == Self.ids(0..<3))
        #expect(sink.delivered(afterFailing: 0) == Self.ids(0..<8))
    }

    @Test("out of retries: the batch goes to the dead-letter file, counted, and shipping moves on")
    func deadLetter() async throws {
        let spool = try TestSpool()
        spool.closedSegment((0..<3).map { TestSpool.line($0) })
        spool.closedSegment((3..<5).map { TestSpool.line($0) })
        let sink = RecordingSink(failures: 1000)
        let shipper = spool.shipper([sink]) { $0.maxRetrySeconds = 1; $0.batchMaxEvents = 3 }
        let running = Task { await shipper.run() }
        let deadPath = spool.directory + "/dead-letter-test.jsonl"
        #expect(await eventually(15) { spool.segmentNames.isEmpty })
        shipper.stop()
        _ = await running.value
        let lines = try String(contentsOfFile: deadPath, encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.compactMap { ($0["event"] as? [String: Any])?["event_id"] as? String } == Self.ids(0..<5))
        #expect(objects.allSatisfy { $0["sink"] as? String == "test" && ($0["error"] as? String)?.isEmpty == false })
        #expect(Set(objects.compactMap { $0["batch_id"] as? String }).count == 2)
    }

    @Test("two sinks ship independently; a segment is deleted only when both have passed it")
    func twoSinks() async throws {
        let spool = try TestSpool()
        spool.closedSegment((0..<6).map { TestSpool.line($0) })
        let good = RecordingSink(name: "good")
        let bad = RecordingSink(name: "bad", failures: 1)
        let outcomes = await spool.shipper([good, bad]).run(.once)
        #expect(outcomes == [.finished, .failed])
        #expect(good.delivered(afterFailing: 0) == Self.ids(0..<6))
        #expect(spool.segmentNames.count == 1, "the failing sink still needs it")
        #expect(await spool.shipper([good, bad]).run(.once) == [.finished, .finished])
        #expect(bad.delivered(afterFailing: 1) == Self.ids(0..<6))
        #expect(good.batches.count == 1, "the good sink did not get it twice")
        #expect(spool.segmentNames.isEmpty)
    }

    @Test("lines that are not events are skipped; producers' segments keep their own order")
    func skipsAndInterleaves() async throws {
        let spool = try TestSpool()
        spool.closedSegment([TestSpool.line(0), "not json", #"{"no":"id"}"#, TestSpool.line(1)], producer: "milter")
        let tracker = spool.openSegment("tracker")
        tracker.append([TestSpool.line(10), TestSpool.line(11)])
        spool.closedSegment([TestSpool.line(2)], producer: "milter")
        let sink = RecordingSink()
        await spool.shipper([sink]).run(.once)
        let delivered = sink.delivered(afterFailing: 0)
        #expect(delivered.filter { $0 < Self.ids(10..<11)[0] } == Self.ids(0..<3))
        #expect(delivered.filter { $0 >= Self.ids(10..<11)[0] } == Self.ids(10..<12))
        #expect(spool.segmentNames == [tracker.name])
        tracker.close()
    }

    @Test("a stop during a backoff returns at once and leaves the batch for the next run")
    func stopDuringBackoff() async throws {
        let spool = try TestSpool()
        spool.closedSegment([TestSpool.line(0)])
        let sink = RecordingSink(failures: 1000)
        let shipper = spool.shipper([sink]) { $0.backoffInitialSeconds = 60; $0.backoffMaxSeconds = 60 }
        let running = Task { await shipper.run() }
        #expect(await eventually(5) { sink.batches.count == 1 })
        let stopping = ContinuousClock.now
        shipper.stop()
        _ = await running.value
        #expect(ContinuousClock.now - stopping < .seconds(2))
        #expect(spool.segmentNames.count == 1)
        #expect(spool.inFlight() != nil)
    }
}

@Suite("One shipper per spool")
struct ShipperLockTests {
    @Test("a second shipper on the same spool waits, and takes over when the first stops; --once gives up")
    func secondShipperWaits() async throws {
        let spool = try TestSpool()
        let segment = spool.openSegment()
        let firstSink = RecordingSink(name: "test")
        let first = spool.shipper([firstSink]) { $0.batchMaxSeconds = 0 }
        let firstRun = Task { await first.run() }
        segment.append([TestSpool.line(0)])
        #expect(await eventually(5) { firstSink.batches.count == 1 })
        let secondSink = RecordingSink(name: "test")
        let second = spool.shipper([secondSink]) { $0.batchMaxSeconds = 0 }
        let secondRun = Task { await second.run() }
        #expect(await spool.shipper([RecordingSink(name: "test")]).run(.once) == [.failed])
        segment.append([TestSpool.line(1)])
        #expect(await eventually(5) { firstSink.batches.count == 2 })
        #expect(secondSink.batches.isEmpty, "only one shipper delivers")
        first.stop()
        _ = await firstRun.value
        segment.append([TestSpool.line(2)])
        #expect(await eventually(5) { secondSink.batches.count == 1 })
        #expect(secondSink.delivered(afterFailing: 0) == ShipperTests.ids(2..<3), "it resumed from the first one's checkpoint")
        second.stop()
        _ = await secondRun.value
        segment.close()
    }
}

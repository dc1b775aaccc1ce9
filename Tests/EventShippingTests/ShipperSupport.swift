import EventSpool
import Foundation
import Logging
import Synchronization
import TrackingRuntime
@testable import EventShipping
#if canImport(Glibc)
import Glibc
#endif

/// A sink that records every batch offered and fails while `failures` is above zero.
final class RecordingSink: EventSink {
    let name: String
    let offered = Mutex<[EventBatch]>([])
    let failures: Mutex<Int>

    init(name: String = "test", failures: Int = 0) {
        self.name = name
        self.failures = Mutex(failures)
    }

    struct Refused: Error {}

    func deliver(_ batch: EventBatch) async throws {
        offered.withLock { $0.append(batch) }
        let fail = failures.withLock { remaining in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
        if fail { throw Refused() }
    }

    var batches: [EventBatch] { offered.withLock { $0 } }
    /// Event ids of the batches after the failing ones (one per delivered batch).
    func delivered(afterFailing failed: Int) -> [String] {
        batches.dropFirst(failed).flatMap { $0.events.map(\.eventID) }
    }
}

/// A temporary spool directory with segment writers that follow docs/events.md.
final class TestSpool {
    let directory: String
    private var serial = 0

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ship-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    static func line(_ n: Int, type: String = "click", pad: Int = 0) -> String {
        #"{"type":"\#(type)","event_id":"\#(String(format: "%032x", n))","timestamp":"2026-12-05T11:20:07.123Z","pad":"\#(String(repeating: "x", count: pad))"}"#
    }

    /// A segment name `seg-…-PRODUCER-1-SEQ.jsonl`, later than the ones before.
    func nextName(_ producer: String = "tracker") -> String {
        serial += 1
        return "seg-\(1_700_000_000_000_000 + serial)-\(producer)-1-" + String(repeating: "0", count: 6 - String(serial).count) + "\(serial).jsonl"
    }

    /// An open segment: locked as a writer holds it until `close()`.
    final class Segment {
        let name: String
        let fd: Int32
        init(path: String, name: String) {
            self.name = name
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            _ = flock(fd, LOCK_EX)
        }
        func append(_ lines: [String]) {
            for line in lines {
                let bytes = Array((line + "\n").utf8)
                _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            }
        }
        func close() { _ = Glibc.close(fd) }
    }

    func openSegment(_ producer: String = "tracker") -> Segment {
        let name = nextName(producer)
        return Segment(path: directory + "/" + name, name: name)
    }

    /// A closed segment holding `lines`.
    @discardableResult
    func closedSegment(_ lines: [String], producer: String = "tracker") -> String {
        let segment = openSegment(producer)
        segment.append(lines)
        segment.close()
        return segment.name
    }

    var segmentNames: [String] { ((try? SpoolDirectory(path: directory).segments()) ?? []).map(\.name) }

    /// The offset `sink`'s checkpoint holds for `segment`.
    func checkpointOffset(_ segment: String, sink: String = "test") throws -> Int {
        let store = try CheckpointStore(spool: SpoolDirectory(path: directory), sink: sink)
        return try store.load().offsets[segment] ?? 0
    }

    /// The batch `sink` recorded as in flight.
    func inFlight(sink: String = "test") -> InFlightBatch? {
        InFlightStore(spoolDirectory: directory, sink: sink).load()
    }

    func shipper(_ sinks: [RecordingSink], configure: (inout DeliverySettings) -> Void = { _ in }) -> Shipper {
        var delivery = DeliverySettings()
        configure(&delivery)
        var logger = Logger(label: "shipper-test")
        logger.logLevel = .critical
        return Shipper(
            spool: SpoolDirectory(path: directory), lanes: sinks.map { ShipperLane(sink: $0, delivery: delivery, spoolDirectory: directory) }, logger: logger,
            pollInterval: .milliseconds(20), random: { 0 })
    }
}

/// Polls `condition` every 20 ms for up to `seconds`.
func eventually(_ seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

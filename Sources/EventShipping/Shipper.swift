import EventSpool
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Posix
import Synchronization
import TrackingRuntime

/// Reads the spool and delivers it to every sink, each in its own loop (docs/events.md,
/// "Shipping"): batches in spool order, the checkpoint moved only after a batch is
/// delivered (or dead-lettered), failures retried with the same batch id after a capped
/// exponential backoff. At least once: a batch whose delivery was cut short is sent again,
/// and sinks de-duplicate on `event_id`.
public final class Shipper: Sendable {
    /// How `run` ends.
    public enum Mode: Sendable {
        /// Until `stop()`.
        case continuous
        /// Until each sink has delivered what is in the spool now, or failed once.
        case once
    }

    /// What a lane did by the time `run` returned.
    public enum LaneOutcome: Sendable, Equatable {
        /// Everything readable was delivered (`once`) or the shipper was stopped.
        case finished
        /// `once`: a batch failed; the rest stays spooled for the next run.
        case failed
    }

    let spool: SpoolDirectory
    let lanes: [ShipperLane]
    let logger: Logger
    let pollInterval: Duration
    let random: @Sendable () -> Double
    let wallClock: @Sendable () -> Double
    private let stopped = Mutex(false)
    private let janitor: SpoolJanitor

    public init(
        spool: SpoolDirectory, lanes: [ShipperLane], logger: Logger,
        pollInterval: Duration = .milliseconds(200),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.spool = spool
        self.lanes = lanes
        self.logger = logger
        self.pollInterval = pollInterval
        self.random = random
        self.wallClock = wallClock
        self.janitor = SpoolJanitor(sinks: lanes.map(\.sink.name))
    }

    /// Asks every lane to stop: a request in flight finishes (bounded by its timeout) and is
    /// checkpointed if it delivered; a batch waiting for its retry is left for the next run.
    public func stop() { stopped.withLock { $0 = true } }

    public var isStopped: Bool { stopped.withLock { $0 } }

    /// Runs every lane; returns when they have all ended. Outcomes in `lanes` order.
    @discardableResult
    public func run(_ mode: Mode = .continuous) async -> [LaneOutcome] {
        // One shipper per spool: a second one (a `ship` next to a tracker that ships, or two
        // trackers on one host) would deliver every event twice. It waits and takes over
        // when the first one stops.
        guard let lock = await takeSpoolLock(waiting: mode == .continuous) else {
            return [LaneOutcome](repeating: mode == .once ? .failed : .finished, count: lanes.count)
        }
        defer { Posix.close(lock) }
        return await withTaskGroup(of: (Int, LaneOutcome).self) { group in
            for (index, lane) in lanes.enumerated() {
                group.addTask {
                    var loop = ShipperLoop(shipper: self, lane: lane, mode: mode)
                    return (index, await loop.run())
                }
            }
            var outcomes = [LaneOutcome](repeating: .finished, count: lanes.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
    }

    /// `ship.lock` in the spool directory, held (flock) while this shipper runs; nil when
    /// another process holds it and `waiting` is false, or when stopped while waiting.
    func takeSpoolLock(waiting: Bool) async -> Int32? {
        let path = spool.path + "/ship.lock"
        var told = false
        while !isStopped {
            do {
                let fd = try Posix.open(path, O_RDWR | O_CREAT)
                if try Posix.tryLock(fd, .exclusive) { return fd }
                Posix.close(fd)
                if !told {
                    logger.warning("another shipper is shipping this spool; waiting until it stops", metadata: ["lock": "\(path)"])
                    told = true
                }
            } catch {
                logger.error("cannot take the spool's shipper lock; waiting", metadata: ["lock": "\(path)", "error": "\(error)"])
            }
            guard waiting, await sleep(.seconds(1)) else { return nil }
        }
        return nil
    }

    /// Sleeps for `duration` in short steps; false when stopped meanwhile.
    func sleep(_ duration: Duration) async -> Bool {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if isStopped || Task.isCancelled { return false }
            try? await Task.sleep(for: min(.milliseconds(50), deadline - ContinuousClock.now))
        }
        return !isStopped
    }

    func finished(sink: String, segments: Set<SpoolSegment>) {
        janitor.report(sink: sink, finished: segments, spool: spool, logger: logger)
    }
}

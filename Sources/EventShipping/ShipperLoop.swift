import EventSpool
import Logging
import Tracking
import TrackingRuntime

/// One sink's loop: plan the next batch from its checkpoint, deliver it (retrying), move the
/// checkpoint. State lives here, in one task; only the janitor is shared.
struct ShipperLoop {
    let shipper: Shipper
    let lane: ShipperLane
    let mode: Shipper.Mode
    let metrics: ShipperMetrics
    let inFlightStore: InFlightStore
    var logger: Logger
    /// Per segment, the offset delivered to (saved in `ship-SINK.checkpoint`).
    var checkpoint = SpoolCheckpoint()
    var checkpoints: CheckpointStore?
    /// Closed segments read to their end: nothing more will come from them.
    var finished: Set<SpoolSegment> = []
    /// The batch being delivered (saved in `ship-SINK.inflight`).
    var inFlight: InFlightBatch?
    /// When the unread head of a segment (`segment@offset`) was first seen, for batch_max_seconds.
    var waitingSince: [String: ContinuousClock.Instant] = [:]
    /// Bytes and lines read so far, for the queue-events estimate.
    var linesSeen = 0
    var bytesSeen = 0

    init(shipper: Shipper, lane: ShipperLane, mode: Shipper.Mode) {
        self.shipper = shipper
        self.lane = lane
        self.mode = mode
        self.metrics = ShipperMetrics(sink: lane.sink.name)
        self.inFlightStore = InFlightStore(spoolDirectory: shipper.spool.path, sink: lane.sink.name)
        var logger = shipper.logger
        logger[metadataKey: "sink"] = "\(lane.sink.name)"
        self.logger = logger
    }

    var sink: String { lane.sink.name }

    mutating func run() async -> Shipper.LaneOutcome {
        while !shipper.isStopped {
            do {
                let store = try CheckpointStore(spool: shipper.spool, sink: sink)
                checkpoint = try store.load()
                checkpoints = store
                inFlight = inFlightStore.load()
                break
            } catch {
                logger.critical("cannot read this sink's checkpoint; not shipping to it", metadata: ["error": "\(error)"])
                if mode == .once { return .failed }
                guard await shipper.sleep(.seconds(30)) else { return .finished }
            }
        }
        while !shipper.isStopped {
            let plan: BatchPlan?
            do { plan = try nextBatch() } catch {
                logger.error("cannot read the spool; trying again", metadata: ["error": "\(error)"])
                if mode == .once { return .failed }
                guard await shipper.sleep(.seconds(1)) else { break }
                continue
            }
            guard let plan else {
                if mode == .once { return .finished }
                guard await shipper.sleep(shipper.pollInterval) else { break }
                continue
            }
            switch await deliver(plan) {
            case .delivered, .deadLettered: advance(past: plan)
            case .failed: return .failed
            case .stopped: return .finished
            }
        }
        return .finished
    }

    // MARK: planning

    /// The next batch to send now, or nil when there is none yet. Walks the segments oldest
    /// first; an unread head that is neither full nor in a closed segment waits up to
    /// batch_max_seconds for more events, and meanwhile a later segment may go.
    mutating func nextBatch() throws(SpoolError) -> BatchPlan? {
        let spool = shipper.spool
        let segments = try spool.segments()
        prune(keeping: segments)
        if let inFlight, let plan = try resume(inFlight, in: segments) { return plan }
        inFlight = nil
        var queueBytes = 0
        var chosen: BatchPlan?
        var oldest: Double?
        for segment in segments where !finished.contains(segment) {
            let offset = checkpoint.offset(of: segment)
            let size = try spool.size(of: segment) ?? offset
            queueBytes += max(0, size - offset)
            guard chosen == nil else { continue }
            // Closed first, then read: a line appended before the close is in the read.
            let closed = try spool.isClosed(segment)
            let read = try spool.readLines(segment, from: offset, maxBytes: readBytes)
            if read.lines.isEmpty {
                if read.skippedBytes > 0 {
                    skip(segment, to: read.endOffset, bytes: read.skippedBytes)
                } else if closed {
                    finished.insert(segment)
                    shipper.finished(sink: sink, segments: finished)
                }
                continue
            }
            let (lines, byteCount) = Self.batchPrefix(read.lines, maxEvents: lane.delivery.batchMaxEvents,
                                                      maxBytes: lane.delivery.batchMaxBytes)
            let next = lines.count == read.lines.count ? read.endOffset : offset + byteCount
            let full = lines.count < read.lines.count || size > read.endOffset
            let plan = BatchPlan(segment: segment, offset: offset, next: next, lines: lines, firstAttempt: nil)
            if oldest == nil { oldest = plan.firstTimestamp }
            let key = "\(segment.name)@\(offset)"
            let since = waitingSince[key] ?? ContinuousClock.now
            waitingSince[key] = since
            if full || closed || mode == .once || ContinuousClock.now - since >= .seconds(lane.delivery.batchMaxSeconds) {
                chosen = plan
            }
        }
        metrics.queueBytes.record(queueBytes)
        metrics.queueEvents.record(bytesSeen > 0 ? Int(Double(queueBytes) * Double(linesSeen) / Double(bytesSeen)) : 0)
        metrics.oldestSeconds.record(oldest.map { max(0, shipper.wallClock() - $0) } ?? 0)
        return chosen
    }

    /// How much to read for one batch: batch_max_bytes, or less when batch_max_events lines
    /// of the size seen so far (twice over) fit in less, so a large byte limit does not make
    /// every read fetch and split far more lines than a batch takes.
    var readBytes: Int {
        let average = linesSeen > 0 ? max(1, bytesSeen / linesSeen) : 1024
        let (estimate, overflow) = lane.delivery.batchMaxEvents.multipliedReportingOverflow(by: 2 * average)
        return overflow ? lane.delivery.batchMaxBytes : min(lane.delivery.batchMaxBytes, max(estimate, 64 << 10))
    }

    /// The leading lines that fit the batch limits (at least one), and their bytes with newlines.
    static func batchPrefix(_ lines: [[UInt8]], maxEvents: Int, maxBytes: Int) -> ([[UInt8]], Int) {
        var bytes = 0
        var count = 0
        for line in lines.prefix(maxEvents) {
            if count > 0 && bytes + line.count + 1 > maxBytes { break }
            bytes += line.count + 1
            count += 1
        }
        return (Array(lines.prefix(count)), bytes)
    }

    /// The batch a previous attempt (maybe a previous process) recorded, re-formed exactly.
    mutating func resume(_ recorded: InFlightBatch, in segments: [SpoolSegment]) throws(SpoolError) -> BatchPlan? {
        // The record is a file: believe it only when it describes a batch this lane could form.
        let limit = max(lane.delivery.batchMaxBytes, SpoolDirectory.maxLineBytes)
        guard let segment = segments.first(where: { $0.name == recorded.segment }), recorded.offset >= 0,
              checkpoint.offset(of: segment) == recorded.offset, recorded.next > recorded.offset,
              recorded.next - recorded.offset <= limit, recorded.firstAttempt.isFinite else { return nil }
        let read = try shipper.spool.readLines(segment, from: recorded.offset, maxBytes: recorded.next - recorded.offset)
        guard read.lines.count == recorded.count, read.endOffset == recorded.next else {
            logger.warning("the recorded in-flight batch no longer matches the spool; forming a new one",
                           metadata: ["segment": "\(recorded.segment)", "offset": "\(recorded.offset)"])
            return nil
        }
        return BatchPlan(segment: segment, offset: recorded.offset, next: recorded.next, lines: read.lines,
                         firstAttempt: min(recorded.firstAttempt, shipper.wallClock()))
    }

    mutating func prune(keeping segments: [SpoolSegment]) {
        checkpoint.keepOnly(segments)
        let present = Set(segments)
        finished = finished.intersection(present)
        if waitingSince.count > 4 * max(segments.count, 16) { waitingSince = [:] }
    }

    mutating func skip(_ segment: SpoolSegment, to next: Int, bytes: Int) {
        metrics.linesSkipped.increment()
        logger.error("skipped a spool line longer than any event (\(SpoolDirectory.maxLineBytes) bytes)",
                     metadata: ["segment": "\(segment.name)", "bytes": "\(bytes)"])
        checkpoint.set(next, for: segment)
        saveCheckpoint()
    }

    // MARK: delivering

    enum Delivery { case delivered, deadLettered, failed, stopped }

    /// Delivers `plan` until it is delivered, dead-lettered, or (`once`) fails, or the shipper
    /// stops between attempts.
    mutating func deliver(_ plan: BatchPlan) async -> Delivery {
        var events: [SpooledEvent] = []
        events.reserveCapacity(plan.lines.count)
        for line in plan.lines {
            if let event = SpooledEvent(line: line) { events.append(event) }
        }
        linesSeen += plan.lines.count
        bytesSeen += plan.next - plan.offset
        if events.count < plan.lines.count {
            metrics.linesSkipped.increment(by: plan.lines.count - events.count)
            logger.error("skipped spool lines that are not event objects with event_id and type",
                         metadata: ["segment": "\(plan.segment.name)", "offset": "\(plan.offset)", "lines": "\(plan.lines.count - events.count)"])
        }
        guard !events.isEmpty else { return .delivered }
        let batch = EventBatch(id: plan.id, events: events)
        let firstAttempt = plan.firstAttempt ?? shipper.wallClock()
        let record = InFlightBatch(segment: plan.segment.name, offset: plan.offset, next: plan.next,
                                   count: plan.lines.count, firstAttempt: firstAttempt)
        if record != inFlight {
            inFlight = record
            do { try inFlightStore.save(record) } catch {
                logger.warning("cannot record the batch in flight; after a restart it may go under another id",
                               metadata: ["error": "\(error)"])
            }
        }
        var failures = 0
        while true {
            do {
                try await lane.sink.deliver(batch)
                metrics.batchesSent.increment()
                metrics.eventsDelivered.increment(by: events.count)
                if failures > 0 {
                    logger.info("batch delivered after retries", metadata: ["batch_id": "\(batch.id)", "attempts": "\(failures + 1)"])
                }
                return .delivered
            } catch {
                failures += 1
                metrics.batchesFailed.increment()
                let elapsed = shipper.wallClock() - firstAttempt
                let allowed = Double(lane.delivery.maxRetrySeconds)
                var metadata: Logger.Metadata = [
                    "batch_id": "\(batch.id)", "events": "\(events.count)", "attempt": "\(failures)", "error": "\(error)",
                ]
                if mode == .once {
                    logger.error("batch not delivered; it stays spooled for the next run", metadata: metadata)
                    return .failed
                }
                if elapsed >= allowed {
                    if deadLetter(batch, error: error, metadata: metadata) { return .deadLettered }
                } else {
                    let remaining = Duration.seconds(min(max(allowed - elapsed, 0), allowed))
                    let wait = min(lane.backoff.delay(afterFailures: failures, random: shipper.random()), remaining)
                    metadata["retry_in_ms"] = "\(Int(wait / .milliseconds(1)))"
                    logger.warning("batch not delivered; retrying it later", metadata: metadata)
                    guard await shipper.sleep(wait) else { return .stopped }
                }
                metrics.batchesRetried.increment()
            }
        }
    }

    /// Writes the batch to the dead-letter file; false (and logged) when that fails too, so
    /// the batch is not given up.
    func deadLetter(_ batch: EventBatch, error: any Error, metadata: Logger.Metadata) -> Bool {
        var metadata = metadata
        metadata["dead_letter"] = "\(lane.deadLetter.path)"
        do {
            try lane.deadLetter.append(batch, sink: sink, error: "\(error)")
        } catch let writeError {
            metadata["write_error"] = "\(writeError)"
            logger.critical("batch ran out of retries and the dead-letter file refuses it; still retrying", metadata: metadata)
            return false
        }
        metrics.batchesDeadLettered.increment()
        metrics.eventsDeadLettered.increment(by: batch.events.count)
        logger.error("batch ran out of retries (max_retry_seconds); written to the dead-letter file, moving on", metadata: metadata)
        return true
    }

    mutating func advance(past plan: BatchPlan) {
        checkpoint.set(plan.next, for: plan.segment)
        waitingSince["\(plan.segment.name)@\(plan.offset)"] = nil
        saveCheckpoint()
        if inFlight != nil {
            inFlight = nil
            inFlightStore.clear()
        }
    }

    func saveCheckpoint() {
        do { try checkpoints?.save(checkpoint) } catch {
            logger.error("cannot write the checkpoint; after a restart this sink re-sends from its last one",
                         metadata: ["error": "\(error)"])
        }
    }
}

/// The lines `[offset, next)` of one segment, to go as one batch.
struct BatchPlan {
    let segment: SpoolSegment
    let offset: Int
    let next: Int
    let lines: [[UInt8]]
    /// Unix seconds of the first attempt when resuming a recorded batch.
    let firstAttempt: Double?

    var id: String { BatchID.make(segment: segment.name, offset: offset, count: lines.count) }

    var firstTimestamp: Double? {
        lines.first.flatMap { SpooledEvent(line: $0) }?.timestamp.flatMap { Timestamp.parse($0)?.timeIntervalSince1970 }
    }
}

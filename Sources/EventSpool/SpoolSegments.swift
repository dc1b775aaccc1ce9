import Logging
import Posix
#if canImport(Glibc)
import Glibc
#endif

/// The writer's side of the spool directory, under the writer's lock: the segment it
/// appends to, rotation, and the size bound. The `LineTarget` a `SpoolWriter`'s
/// `LineAppender` writes through.
struct SpoolSegments: LineTarget {
    let spool: SpoolDirectory
    let producer: SpoolProducer
    let limits: SpoolWriter.Limits
    let logger: Logger?
    private let pid = Posix.processID

    /// The segment this writer appends to and holds `flock(LOCK_EX)` on, and the bytes of
    /// whole lines in it.
    private var current: (segment: SpoolSegment, output: DescriptorOutput, size: Int)?
    private var sequence = 0
    /// A write failed: the next line starts a new segment (past a file-size limit that is
    /// what makes progress). `torn`: part of a line stayed in the segment, which is then
    /// closed even if it holds no whole line.
    private var rotateBeforeNext = false
    private var torn = false
    /// The spool's size: counted at start and at each rotation (so other producers' segments
    /// count), plus what this writer appended since.
    private(set) var totalBytes: Int
    private(set) var counts = SpoolStatus()
    /// When the spool was last found full with nothing to free: re-checked at most once a second.
    private var fullCheckedAt: UInt64?
    private var fullLog = LogThrottle(seconds: 60)
    private var deletedLog = LogThrottle(seconds: 60)
    private var openFailing = false

    init(spool: SpoolDirectory, producer: SpoolProducer, limits: SpoolWriter.Limits, logger: Logger?, totalBytes: Int) {
        self.spool = spool
        self.producer = producer
        self.limits = limits
        self.logger = logger
        self.totalBytes = totalBytes
    }

    var finishesTornLines: Bool { false }

    mutating func destination(forLineOf bytes: Int) -> LineDestination {
        guard bytes <= SpoolDirectory.maxLineBytes else {
            counts.droppedEvents[.tooLarge, default: 0] += 1
            logger?.error("event longer than the spool's line limit dropped", metadata: [
                "spool": "\(spool.path)", "bytes": "\(bytes)", "limit": "\(SpoolDirectory.maxLineBytes)",
            ])
            return .drop
        }
        if let open = current, torn || (open.size > 0 && (rotateBeforeNext || open.size + bytes > limits.segmentBytes)) {
            closeCurrent()
            recount()
        }
        guard makeRoom(for: bytes) else {
            noteFull()
            return .drop
        }
        if current == nil { openSegment() }
        guard let open = current else { return .keep }
        return .output(open.output)
    }

    mutating func wrote(_ bytes: Int) {
        current?.size += bytes
        totalBytes += bytes
        counts.appendedEvents += 1
        if fullLog.isActive {
            logger?.notice("event spool takes events again", metadata: [
                "spool": "\(spool.path)", "dropped_full": "\(counts.dropped(.full))", "bytes": "\(totalBytes)",
            ])
            fullLog.reset()
            fullCheckedAt = nil
        }
    }

    mutating func failed(torn: Bool) {
        rotateBeforeNext = true
        if torn { self.torn = true }
    }

    /// Releases the current segment: unlocked, it is closed for readers.
    mutating func closeCurrent() {
        if let open = current { Posix.unlock(open.output.fd) }
        current = nil
        rotateBeforeNext = false
        torn = false
    }

    private mutating func recount() {
        if let counted = try? spool.totalBytes() { totalBytes = counted }
    }

    /// Whether `bytes` more fit under `max_bytes`, after recounting and (`drop_oldest`)
    /// deleting the oldest closed segments.
    private mutating func makeRoom(for bytes: Int) -> Bool {
        if totalBytes <= limits.maxBytes - bytes { return true }
        let now = Posix.monotonicNanoseconds()
        // A flood against a full spool must not list the directory per event.
        if let checked = fullCheckedAt, now &- checked < 1_000_000_000 { return false }
        recount()
        if limits.whenFull == .dropOldest && totalBytes > limits.maxBytes - bytes { deleteOldest(toFit: bytes) }
        let fits = totalBytes <= limits.maxBytes - bytes
        fullCheckedAt = fits ? nil : now
        return fits
    }

    /// Deletes closed segments, oldest first, until `bytes` more fit; never a locked one
    /// (a writer still appends to it) and never an empty one (it frees nothing).
    private mutating func deleteOldest(toFit bytes: Int) {
        guard let segments = try? spool.segments() else { return }
        var deleted = 0
        var events = 0
        for segment in segments where totalBytes > limits.maxBytes - bytes {
            guard segment.name != current?.segment.name, (try? spool.isClosed(segment)) == true,
                  let size = try? spool.size(of: segment), size > 0
            else { continue }
            let lines = (try? spool.lineCount(of: segment)) ?? 0
            guard (try? spool.delete(segment)) != nil else { continue }
            totalBytes -= size
            deleted += 1
            events += lines
        }
        guard deleted > 0 else { return }
        counts.droppedSegments += deleted
        counts.droppedEvents[.oldest, default: 0] += events
        if deletedLog.occur(deleted) {
            logger?.warning("event spool full; deleted the oldest closed segments, their unshipped events are lost", metadata: [
                "spool": "\(spool.path)", "segments": "\(deletedLog.unlogged)", "segments_total": "\(counts.droppedSegments)",
                "events_total": "\(counts.dropped(.oldest))", "max_bytes": "\(limits.maxBytes)",
            ])
            deletedLog.logged()
        }
    }

    private mutating func noteFull() {
        counts.droppedEvents[.full, default: 0] += 1
        guard fullLog.occur() else { return }
        let why = limits.whenFull == .stopRecording
            ? "when_full is stop_recording" : "no closed segment left to delete"
        logger?.error("event spool full; new events are dropped until the shipper makes room", metadata: [
            "spool": "\(spool.path)", "reason": "\(why)", "dropped": "\(fullLog.unlogged)",
            "dropped_total": "\(counts.dropped(.full))", "bytes": "\(totalBytes)", "max_bytes": "\(limits.maxBytes)",
        ])
        fullLog.logged()
    }

    /// Starts a new segment. It is made under a temporary name and locked before it gets its
    /// `seg-` name, so no reader ever sees it unlocked (and takes it for closed and empty).
    private mutating func openSegment() {
        let start = Posix.realtimeMicroseconds()
        var failure: PosixError?
        for _ in 0..<3 {
            let name = SpoolSegment.name(startMicroseconds: start, producer: producer.rawValue, pid: pid, sequence: sequence)
            sequence += 1
            guard let segment = SpoolSegment(name: name) else { continue }
            let final = spool.path(of: segment)
            let temporary = spool.path + "/tmp-" + name
            do throws(PosixError) {
                if try Posix.fileSize(atPath: final) != nil { continue }
                let fd: Int32
                do {
                    fd = try Posix.open(temporary, O_WRONLY | O_APPEND | O_CREAT | O_EXCL)
                } catch let error where error.errno == ENOENT {
                    // The directory went away: make it again, as at start.
                    try Posix.makeDirectories(spool.path, mode: 0o750)
                    fd = try Posix.open(temporary, O_WRONLY | O_APPEND | O_CREAT | O_EXCL)
                }
                let output = DescriptorOutput(fd: fd, owned: true)
                guard try Posix.tryLock(fd, .exclusive) else {
                    try Posix.unlink(temporary)
                    continue
                }
                do {
                    try Posix.rename(temporary, to: final)
                } catch {
                    _ = try? Posix.unlink(temporary)
                    throw error
                }
                current = (segment, output, 0)
                if openFailing {
                    openFailing = false
                    logger?.notice("event spool segments can be created again", metadata: ["spool": "\(spool.path)"])
                }
                return
            } catch {
                failure = error
                if error.errno == EEXIST { continue }
                break
            }
        }
        counts.failedWrites += 1
        if !openFailing {
            openFailing = true
            logger?.error("cannot start an event spool segment; keeping events in memory and retrying", metadata: [
                "spool": "\(spool.path)", "error": "\(failure.map { "\($0)" } ?? "name taken")",
                "fix": "the directory must exist and be writable by this user, with free space",
            ])
        }
    }
}

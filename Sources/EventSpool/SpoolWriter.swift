import Logging
import Posix
import Synchronization

/// Appends one producer's events to the spool (docs/events.md): one per process, shared by
/// its threads. Each event is one line, written with a single `write(2)` on an `O_APPEND`
/// descriptor of a segment this writer holds `flock(LOCK_EX)` on; past `segmentBytes` it
/// starts a new segment, and the spool stays within `maxBytes` as `whenFull` says.
///
/// Never throws or traps once made: a failing disk keeps lines in a bounded backlog
/// (`LineAppender`), a full spool drops by its policy, and both are counted in `status`
/// and logged (a line per change, at most one a minute while it lasts).
public final class SpoolWriter: Sendable {
    /// The size bounds (`events.spool`).
    public struct Limits: Sendable, Equatable {
        public var maxBytes: Int
        public var segmentBytes: Int
        public var whenFull: SpoolFullPolicy

        public init(maxBytes: Int, segmentBytes: Int, whenFull: SpoolFullPolicy) {
            self.maxBytes = maxBytes
            self.segmentBytes = segmentBytes
            self.whenFull = whenFull
        }
    }

    private struct State {
        var segments: SpoolSegments
        var appender: LineAppender
    }

    private let state: Mutex<State>
    public let spool: SpoolDirectory
    public let producer: SpoolProducer

    /// Makes the directory (and missing parents, mode 0750) when it is missing, and counts
    /// what it holds.
    /// Throws, saying what to do, when it cannot be made or written.
    public init(
        directory: String, producer: SpoolProducer, limits: Limits, logger: Logger?,
        backlogBytes: Int = LineAppender.defaultBacklogBytes
    ) throws(SpoolError) {
        let spool = SpoolDirectory(path: directory)
        do { try Posix.makeDirectories(directory, mode: 0o750) } catch {
            throw SpoolError(
                "cannot create the event spool directory \(directory): \(error); create it (mode 0750) owned by the user the milter and the tracker run as, or change events.spool.dir",
                cause: error)
        }
        guard Posix.isWritableDirectory(directory) else {
            throw SpoolError("the event spool directory \(directory) is not writable by this user; the milter and the tracker must both be able to write it (same user, or a shared group with mode 0770)")
        }
        // A segment past RLIMIT_FSIZE must fail with EFBIG (kept and retried), not end the process.
        Posix.ignoreFileSizeSignal()
        let total = try spool.totalBytes()
        self.spool = spool
        self.producer = producer
        state = Mutex(State(
            segments: SpoolSegments(spool: spool, producer: producer, limits: limits, logger: logger, totalBytes: total),
            appender: LineAppender(what: "event spool", metadata: ["spool": "\(directory)"], logger: logger, backlogBytes: backlogBytes)))
    }

    /// Appends one event: its JSON object, ending in a newline (one is added if it does not).
    /// Only this writer's lock is taken; the line is in the kernel when this returns,
    /// unless the disk refused it (then it waits in memory).
    public func append(_ line: [UInt8]) {
        var line = line
        if line.last != 0x0A { line.append(0x0A) }
        state.withLock { state in state.appender.write(line, to: &state.segments) }
    }

    /// Tries again to write events kept after a failure; true when none are left.
    @discardableResult
    public func retryPending() -> Bool {
        state.withLock { state in !state.appender.hasPending || state.appender.flush(to: &state.segments) }
    }

    /// Counts since start, for metrics.
    public var status: SpoolStatus {
        state.withLock { state in
            var status = state.segments.counts
            let lines = state.appender.status
            status.failedWrites += lines.failedWrites
            status.pendingEvents = lines.pendingLines
            if lines.droppedLines > 0 { status.droppedEvents[.backlog] = lines.droppedLines }
            status.bytes = state.segments.totalBytes
            return status
        }
    }

    /// Writes out what waits (once more) and releases the current segment, which is then
    /// closed for readers. Later appends start a new segment. Returns the events still kept
    /// in memory (lost if the process exits now).
    @discardableResult
    public func close() -> Int {
        state.withLock { state in
            state.appender.flush(to: &state.segments)
            state.segments.closeCurrent()
            return state.appender.status.pendingLines
        }
    }
}

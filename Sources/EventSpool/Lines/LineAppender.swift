import Logging
import Posix

/// Writes event lines whole, surviving a failing disk: the one home for what the tracker's
/// events file and the event spool both do. Used under its owner's lock.
///
/// A line reaches the output whole or not at all. When a write fails (a full disk, a
/// file-size limit, a removed mount) the part written is cut back, the failure is counted
/// and logged, and the line waits in a bounded backlog that is written out, in order,
/// before any newer line as soon as the output takes bytes again. Only when the backlog is
/// full are lines given up, and those are counted and logged too. Log lines mark changes
/// (failing, writable again, dropping), never every line, so a flood cannot flood the log.
public struct LineAppender: Sendable {
    /// Bytes of event lines kept in memory while the output fails (16 MiB: about 40,000 events).
    public static let defaultBacklogBytes = 16 << 20

    private var backlog: LineBacklog
    private var counts = EventWriterStatus()
    /// The output failed and has not taken a line since: log transitions, not every line.
    private var failing = false
    private var dropping = false
    private let logger: Logger?
    /// What the output is called in log lines ("events file", "event spool").
    private let what: String
    private let metadata: Logger.Metadata

    /// - Parameters:
    ///   - what: the output's name in log lines, such as "events file".
    ///   - metadata: added to each log line (which file or directory).
    public init(what: String, metadata: Logger.Metadata, logger: Logger?, backlogBytes: Int = defaultBacklogBytes) {
        backlog = LineBacklog(maxBytes: backlogBytes)
        self.what = what
        self.metadata = metadata
        self.logger = logger
    }

    /// Failures and lines kept or lost so far.
    public var status: EventWriterStatus {
        var status = counts
        status.pendingLines = backlog.count
        return status
    }

    public var hasPending: Bool { !backlog.isEmpty }

    /// Writes `line` (ending in its newline) after whatever waits, or keeps it.
    public mutating func write(_ line: [UInt8], to target: inout some LineTarget) {
        if !backlog.isEmpty { flush(to: &target) }
        if backlog.isEmpty, append(line, to: &target) { return }
        keep(line)
    }

    /// Writes out what waits, in order, stopping at the first failure; true when nothing is left.
    @discardableResult
    public mutating func flush(to target: inout some LineTarget) -> Bool {
        let waiting = backlog.count
        while let line = backlog.removeFirst() {
            guard append(line, to: &target) else {
                backlog.prepend(line)
                return false
            }
        }
        if waiting > 0 {
            logger?.notice("events kept in memory written out", metadata: metadata.merging(["lines": "\(waiting)"]) { $1 })
        }
        return true
    }

    /// Writes one line whole: true when it is done with (written, dropped by the target, or
    /// its rest owed to a pipe first), false when it must be kept. After a partial write
    /// the file is cut back to where it was.
    private mutating func append(_ line: [UInt8], to target: inout some LineTarget) -> Bool {
        let output: any EventOutput
        switch target.destination(forLineOf: line.count) {
        case .drop: return true
        case .keep: return false
        case .output(let chosen): output = chosen
        }
        let before = output.length()
        let failure: PartialWriteError? = line.withUnsafeBytes { raw -> PartialWriteError? in
            do throws(PartialWriteError) { try output.append(raw) } catch { return error }
            return nil
        }
        guard let error = failure else {
            if failing {
                failing = false
                logger?.notice("\(what) writable again", metadata: metadata)
            }
            target.wrote(line.count)
            return true
        }
        counts.failedWrites += 1
        if !failing {
            failing = true
            logger?.error("cannot write to the \(what); keeping events in memory and retrying",
                          metadata: metadata.merging(["error": "\(error.error)"]) { $1 })
        }
        guard error.written > 0 else {
            target.failed(torn: false)
            return false
        }
        if let before, output.truncate(to: before) {
            target.failed(torn: false)
            return false
        }
        target.failed(torn: true)
        guard target.finishesTornLines else { return false }
        backlog.prepend(Array(line[min(error.written, line.count)...]))
        return true  // the line is now owed to the output, ahead of everything else
    }

    private mutating func keep(_ line: [UInt8]) {
        if backlog.append(line) {
            dropping = false
            return
        }
        counts.droppedLines += 1
        if !dropping {
            dropping = true
            logger?.critical("events backlog full; events are being lost until the \(what) takes writes again",
                             metadata: metadata.merging(["backlog_bytes": "\(backlog.maxBytes)"]) { $1 })
        }
    }
}

import Logging
import Posix
import Synchronization

/// Events on standard output or appended to a file: one line at a time under a lock, so
/// lines never interleave, and each is in the kernel once the hit is answered.
///
/// A line reaches the output whole or not at all. When a write fails (a full disk, a
/// file-size limit, a removed mount) the part written is cut back, the failure is counted
/// and logged, and the line waits in a bounded backlog that is written out, in order,
/// before any newer line as soon as the output takes bytes again. Only when the backlog is
/// full are lines given up, and those are counted and logged too.
public final class FileEventWriter: EventWriter {
    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Bytes of event lines kept in memory while the output fails (16 MiB: about 40,000 events).
    public static let defaultBacklogBytes = 16 << 20

    private struct State {
        var output: any EventOutput
        var backlog: EventBacklog
        var status = EventWriterStatus()
        /// The output failed and has not taken a line since: log transitions, not every line.
        var failing = false
        var dropping = false
    }

    private let state: Mutex<State>
    private let ownsFile: Bool
    private let logger: Logger?
    /// `-` or the file's path, for messages.
    public let name: String

    /// Standard output.
    public convenience init(logger: Logger? = nil, backlogBytes: Int = defaultBacklogBytes) {
        self.init(output: DescriptorOutput(fd: 1, owned: false), name: "-", ownsFile: false, logger: logger,
                  backlogBytes: backlogBytes)
    }

    /// Appends to `path`, creating it (mode 0640) when missing.
    public convenience init(appendingTo path: String, logger: Logger? = nil, backlogBytes: Int = defaultBacklogBytes)
        throws(OpenError)
    {
        self.init(output: try Self.openFile(path), name: path, ownsFile: true, logger: logger, backlogBytes: backlogBytes)
    }

    /// Any output; `ownsFile` says whether `reopen` opens `name` again.
    public init(output: any EventOutput, name: String, ownsFile: Bool, logger: Logger?, backlogBytes: Int) {
        state = Mutex(State(output: output, backlog: EventBacklog(maxBytes: max(0, backlogBytes))))
        self.name = name
        self.ownsFile = ownsFile
        self.logger = logger
    }

    /// Opens the file again by its name (after log rotation moved it) and writes out what
    /// waits; standard output stays.
    public func reopen() throws(OpenError) {
        guard ownsFile else { return }
        let output = try Self.openFile(name)
        state.withLock { state in
            state.output = output
            flush(&state)
        }
    }

    private static func openFile(_ path: String) throws(OpenError) -> DescriptorOutput {
        do { return try DescriptorOutput.appending(to: path) } catch {
            throw OpenError(description: "cannot open events file \(path): \(error); check the directory exists and is writable")
        }
    }

    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        write(lineWithNewline: bytes)
    }

    public func write(lineWithNewline bytes: [UInt8]) {
        state.withLock { state in
            if !state.backlog.isEmpty { flush(&state) }
            if state.backlog.isEmpty, append(bytes, &state) { return }
            keep(bytes, &state)
        }
    }

    @discardableResult
    public func retryPending() -> Bool {
        state.withLock { state in
            if !state.backlog.isEmpty { flush(&state) }
            return state.backlog.isEmpty
        }
    }

    public var status: EventWriterStatus {
        state.withLock { state in
            var status = state.status
            status.pendingLines = state.backlog.count
            return status
        }
    }

    /// Writes one line whole. After a partial write the file is cut back to where it was;
    /// where that is impossible (a pipe), the rest goes first into the backlog.
    private func append(_ bytes: [UInt8], _ state: inout State) -> Bool {
        let before = state.output.length()
        let output = state.output
        let failure: PartialWriteError? = bytes.withUnsafeBytes { raw -> PartialWriteError? in
            do throws(PartialWriteError) { try output.append(raw) } catch { return error }
            return nil
        }
        if let error = failure {
            state.status.failedWrites += 1
            if !state.failing {
                state.failing = true
                logger?.error("cannot write to the events file; keeping events in memory and retrying", metadata: [
                    "events": "\(name)", "error": "\(error.error)",
                ])
            }
            if error.written > 0 {
                if let before, state.output.truncate(to: before) { return false }
                state.backlog.prepend(Array(bytes[min(error.written, bytes.count)...]))
                return true  // the line is now owed to the output, ahead of everything else
            }
            return false
        }
        if state.failing {
            state.failing = false
            logger?.notice("events file writable again", metadata: ["events": "\(name)"])
        }
        return true
    }

    private func keep(_ bytes: [UInt8], _ state: inout State) {
        if state.backlog.append(bytes) {
            state.dropping = false
            return
        }
        state.status.droppedLines += 1
        if !state.dropping {
            state.dropping = true
            logger?.critical("events backlog full; events are being lost until the events file takes writes again", metadata: [
                "events": "\(name)", "backlog_bytes": "\(state.backlog.maxBytes)",
            ])
        }
    }

    /// Writes out the backlog in order, stopping at the first failure.
    private func flush(_ state: inout State) {
        let waiting = state.backlog.count
        while let line = state.backlog.removeFirst() {
            guard append(line, &state) else {
                state.backlog.prepend(line)
                return
            }
        }
        if waiting > 0 {
            logger?.notice("events kept in memory written out", metadata: ["events": "\(name)", "lines": "\(waiting)"])
        }
    }
}

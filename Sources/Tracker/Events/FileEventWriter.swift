import EventSpool
import Logging
import Posix
import Synchronization

/// Events on standard output or appended to a file: one line at a time under a lock, so
/// lines never interleave, and each is in the kernel once the hit is answered. A failing
/// disk is survived as `LineAppender` describes: lines wait in a bounded backlog.
public final class FileEventWriter: EventWriter {
    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Bytes of event lines kept in memory while the output fails (16 MiB: about 40,000 events).
    public static let defaultBacklogBytes = LineAppender.defaultBacklogBytes

    private struct State {
        var output: SingleOutput
        var appender: LineAppender
    }

    private let state: Mutex<State>
    private let ownsFile: Bool
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
        state = Mutex(State(
            output: SingleOutput(output),
            appender: LineAppender(what: "events file", metadata: ["events": "\(name)"], logger: logger, backlogBytes: backlogBytes)))
        self.name = name
        self.ownsFile = ownsFile
    }

    /// Opens the file again by its name (after log rotation moved it) and writes out what
    /// waits; standard output stays.
    public func reopen() throws(OpenError) {
        guard ownsFile else { return }
        let output = try Self.openFile(name)
        state.withLock { state in
            state.output = SingleOutput(output)
            state.appender.flush(to: &state.output)
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
        state.withLock { state in state.appender.write(bytes, to: &state.output) }
    }

    @discardableResult
    public func retryPending() -> Bool {
        state.withLock { state in
            !state.appender.hasPending || state.appender.flush(to: &state.output)
        }
    }

    public var status: EventWriterStatus { state.withLock { $0.appender.status } }
}

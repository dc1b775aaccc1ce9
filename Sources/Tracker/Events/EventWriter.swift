import EventSpool
import Synchronization

/// Where event lines go. Each line is written whole, with its newline, or kept to be
/// written later; it never reaches the output cut or glued to another.
public protocol EventWriter: Sendable {
    /// One line of text, without its newline.
    func write(line: String)
    /// One line as UTF-8 bytes, ending in its newline (the tracker's path).
    func write(lineWithNewline bytes: [UInt8])
    /// Tries again to write lines kept after a failure; true when none are left.
    func retryPending() -> Bool
    /// Failures and lines kept or lost so far.
    var status: EventWriterStatus { get }
}

extension EventWriter {
    public func write(lineWithNewline bytes: [UInt8]) {
        write(line: String(decoding: bytes.last == 0x0A ? bytes.dropLast() : bytes[...], as: UTF8.self))
    }

    public func retryPending() -> Bool { true }

    public var status: EventWriterStatus { EventWriterStatus() }
}

/// Keeps event lines in memory (tests, and anyone embedding the tracker).
public final class MemoryEventWriter: EventWriter {
    private let storage = Mutex<[String]>([])

    public init() {}

    public func write(line: String) {
        storage.withLock { $0.append(line) }
    }

    public var lines: [String] { storage.withLock { $0 } }
}

import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where event lines go. Each line is written whole, with its newline, before `write` returns.
public protocol EventWriter: Sendable {
    /// One line of text, without its newline.
    func write(line: String)
    /// One line as UTF-8 bytes, ending in its newline (the tracker's path).
    func write(lineWithNewline bytes: [UInt8])
}

extension EventWriter {
    public func write(lineWithNewline bytes: [UInt8]) {
        write(line: String(decoding: bytes.last == 0x0A ? bytes.dropLast() : bytes[...], as: UTF8.self))
    }
}

/// Events on standard output or appended to a file, one `write(2)` per line under a lock,
/// so lines never interleave and each is in the kernel (flushed) once the hit is answered.
public final class FileEventWriter: EventWriter {
    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    private let fd: Mutex<Int32>
    private let ownsDescriptor: Bool
    /// `-` or the file's path, for messages.
    public let name: String

    /// Standard output.
    public init() {
        fd = Mutex(1)
        ownsDescriptor = false
        name = "-"
    }

    /// Appends to `path`, creating it (mode 0640) when missing.
    public init(appendingTo path: String) throws(OpenError) {
        fd = Mutex(try Self.openFile(path))
        ownsDescriptor = true
        name = path
    }

    /// Opens the file again by its name (after log rotation moved it); standard output stays.
    public func reopen() throws(OpenError) {
        guard ownsDescriptor else { return }
        let descriptor = try Self.openFile(name)
        fd.withLock { old in
            close(old)
            old = descriptor
        }
    }

    private static func openFile(_ path: String) throws(OpenError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw OpenError(description: "cannot open events file \(path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    deinit {
        if ownsDescriptor { fd.withLock { _ = close($0) } }
    }

    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        write(lineWithNewline: bytes)
    }

    public func write(lineWithNewline bytes: [UInt8]) {
        fd.withLock { descriptor in
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    offset += n
                }
            }
        }
    }
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

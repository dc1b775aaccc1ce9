import Posix
#if canImport(Glibc)
import Glibc
#endif

/// Where a `LineAppender` puts its bytes: a file descriptor in production, a scripted
/// failure in tests (as swift-system mocks its system calls). Used under the writer's lock.
public protocol EventOutput: AnyObject, Sendable {
    /// Appends all of `bytes`, or throws saying how many reached the output first.
    func append(_ bytes: UnsafeRawBufferPointer) throws(PartialWriteError)
    /// The output's length, when it is a file (nil for a pipe or terminal).
    func length() -> Int?
    /// Cuts a file back to `length` bytes; false when that is not possible.
    func truncate(to length: Int) -> Bool
}

/// A file descriptor: a file opened for appending (closed with this object), or standard
/// output.
public final class DescriptorOutput: EventOutput, Sendable {
    public let fd: Int32
    private let owned: Bool

    public init(fd: Int32, owned: Bool) {
        self.fd = fd
        self.owned = owned
    }

    deinit {
        if owned { Posix.close(fd) }
    }

    /// Opens `path` for appending, creating it (mode 0640). A file that ends inside a line
    /// (a crash mid-write, from before this writer) gets a newline first, so no new event is
    /// glued to the fragment.
    public static func appending(to path: String) throws(PosixError) -> DescriptorOutput {
        let fd = try Posix.open(path, O_WRONLY | O_APPEND | O_CREAT)
        let output = DescriptorOutput(fd: fd, owned: true)
        if output.endsInsideLine(path) {
            var newline: UInt8 = 0x0A
            withUnsafeBytes(of: &newline) { raw in _ = try? Posix.writeAll(fd, raw) }
        }
        return output
    }

    public func append(_ bytes: UnsafeRawBufferPointer) throws(PartialWriteError) {
        try Posix.writeAll(fd, bytes)
    }

    public func length() -> Int? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    public func truncate(to length: Int) -> Bool {
        (try? Posix.truncate(fd, to: length)) != nil
    }

    private func endsInsideLine(_ path: String) -> Bool {
        guard let size = length(), size > 0 else { return false }
        // The descriptor is write-only: look through a reader.
        guard let reader = try? Posix.open(path, O_RDONLY) else { return false }
        defer { Posix.close(reader) }
        guard let last = try? Posix.read(reader, count: 1, at: size - 1), last.count == 1 else { return false }
        return last[0] != 0x0A
    }
}

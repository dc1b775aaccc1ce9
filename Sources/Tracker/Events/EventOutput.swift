import Posix
#if canImport(Glibc)
import Glibc
#endif

/// Where a `FileEventWriter` puts its bytes: a file descriptor in production, a scripted
/// failure in tests (as swift-system mocks its system calls). Used under the writer's lock.
public protocol EventOutput: AnyObject, Sendable {
    /// Appends all of `bytes`, or throws saying how many reached the output first.
    func append(_ bytes: UnsafeRawBufferPointer) throws(PartialWriteError)
    /// The output's length, when it is a file (nil for a pipe or terminal).
    func length() -> Int?
    /// Cuts a file back to `length` bytes; false when that is not possible.
    func truncate(to length: Int) -> Bool
}

/// A file descriptor: an events file opened for appending (closed with this object), or
/// standard output.
public final class DescriptorOutput: EventOutput, Sendable {
    let fd: Int32
    private let owned: Bool

    public init(fd: Int32, owned: Bool) {
        self.fd = fd
        self.owned = owned
    }

    deinit {
        if owned { _ = close(fd) }
    }

    /// Opens `path` for appending, creating it (mode 0640). A file that ends inside a line
    /// (a crash mid-write, from before this writer) gets a newline first, so no new event is
    /// glued to the fragment.
    public static func appending(to path: String) throws(PosixError) -> DescriptorOutput {
        let fd = try Posix.call("open \(path)") { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640) }
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
        (try? Posix.call("ftruncate") { ftruncate(fd, off_t(length)) }) != nil
    }

    private func endsInsideLine(_ path: String) -> Bool {
        guard let size = length(), size > 0 else { return false }
        let reader = open(path, O_RDONLY | O_CLOEXEC)
        guard reader >= 0 else { return false }
        defer { _ = close(reader) }
        var last: UInt8 = 0
        return pread(reader, &last, 1, off_t(size - 1)) == 1 && last != 0x0A
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Unnamed temporary files: scratch space that disappears with its descriptor, whatever
/// happens to the process, so nothing is ever left behind to clean up.
extension Posix {
    /// Opens a new, empty file for reading and writing in `directory` that has no name:
    /// `O_TMPFILE` where the file system supports it, else `mkstemp` and an immediate
    /// `unlink`. Closing the descriptor frees its space.
    public static func openUnnamedFile(inDirectory directory: String) throws(PosixError) -> Int32 {
        do {
            // glibc's O_TMPFILE macro does not import; __O_TMPFILE is the same value.
            return try call("open O_TMPFILE in \(directory)") { Glibc.open(directory, __O_TMPFILE | O_RDWR | O_CLOEXEC, 0o600) }
        } catch let error where [EOPNOTSUPP, EISDIR, EINVAL].contains(error.errno) {
            // A file system (or kernel) without O_TMPFILE: a named file, unnamed at once.
        }
        var template = Array(((directory.hasSuffix("/") ? directory : directory + "/") + "tracking-milter.XXXXXX").utf8CString)
        let fd = try call("mkstemp in \(directory)") {
            template.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { errno = EINVAL; return -1 }
                return mkstemp(base)
            }
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // mkostemp is not in Swift's Glibc
        // mkstemp filled in the X's; the last element is the terminating NUL.
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do { try unlink(path) } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Reads from `fd` at `offset` into `buffer` until it is full or the file ends; returns
    /// how many bytes were read (fewer than `buffer.count` only at the end of the file).
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(PosixError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count {
            let n = pread(fd, base + filled, buffer.count - filled, off_t(offset + filled))
            if n > 0 {
                filled += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw PosixError(call: "pread", errno: errno)
            }
        }
        return filled
    }
}

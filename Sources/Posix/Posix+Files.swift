#if canImport(Glibc)
import Glibc
#endif

/// File and directory calls for append-only logs (the event spool): open, lock, stat,
/// list, delete, rename, sync. Same rules as the rest of `Posix`: EINTR retried, failures
/// as `PosixError` naming the call and the path.
extension Posix {
    /// Opens `path` with `flags` (`O_CLOEXEC` is always added) and `mode` for a new file.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o640) throws(PosixError) -> Int32 {
        try call("open \(path)") { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    /// Closes `fd`; an error there has no remedy, so it is not reported (as FileHandle does).
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// How a `flock` is taken.
    public enum LockKind: Sendable {
        case shared, exclusive

        var operation: Int32 { self == .shared ? LOCK_SH : LOCK_EX }
    }

    /// Takes `kind` on `fd` without waiting: false when another open file description holds
    /// a conflicting lock.
    public static func tryLock(_ fd: Int32, _ kind: LockKind) throws(PosixError) -> Bool {
        do {
            try call("flock") { flock(fd, kind.operation | LOCK_NB) }
            return true
        } catch let error where error.errno == EWOULDBLOCK {
            return false
        }
    }

    /// Releases a `flock` on `fd`.
    public static func unlock(_ fd: Int32) {
        _ = try? call("flock") { flock(fd, LOCK_UN) }
    }

    /// The size of the file open as `fd`.
    public static func fileSize(_ fd: Int32) throws(PosixError) -> Int {
        var info = stat()
        try call("fstat") { fstat(fd, &info) }
        return Int(info.st_size)
    }

    /// The size of the file at `path`, without following a final symbolic link; nil when
    /// there is none (it went away).
    public static func fileSize(atPath path: String) throws(PosixError) -> Int? {
        var info = stat()
        do {
            try call("stat \(path)") { lstat(path, &info) }
        } catch let error where error.errno == ENOENT {
            return nil
        }
        return Int(info.st_size)
    }

    /// Whether `path` is a directory (following symbolic links).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether this process may create and delete files in the directory `path`.
    public static func isWritableDirectory(_ path: String) -> Bool {
        isDirectory(path) && access(path, W_OK | X_OK) == 0
    }

    /// Makes the directory `path` with `mode` (less the umask); an existing one is fine.
    public static func makeDirectory(_ path: String, mode: mode_t) throws(PosixError) {
        do {
            try call("mkdir \(path)") { mkdir(path, mode) }
        } catch let error where error.errno == EEXIST && isDirectory(path) {
            return
        }
    }

    /// Makes `path` and any missing parent directories, each with `mode` (less the umask),
    /// as `mkdir -p` does.
    public static func makeDirectories(_ path: String, mode: mode_t) throws(PosixError) {
        guard !isDirectory(path) else { return }
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            try makeDirectory(prefix, mode: mode)
        }
    }

    /// The names in the directory `path`, without `.` and `..`, in no particular order.
    public static func directoryEntries(_ path: String) throws(PosixError) -> [String] {
        guard let dir = opendir(path) else { throw PosixError(call: "opendir \(path)", errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 && errno != EINTR { throw PosixError(call: "readdir \(path)", errno: errno) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    /// Removes the file `path`; false when it was already gone.
    @discardableResult
    public static func unlink(_ path: String) throws(PosixError) -> Bool {
        do {
            try call("unlink \(path)") { Glibc.unlink(path) }
            return true
        } catch let error where error.errno == ENOENT {
            return false
        }
    }

    /// Renames `from` to `to`, replacing `to` atomically.
    public static func rename(_ from: String, to: String) throws(PosixError) {
        try call("rename \(from)") { Glibc.rename(from, to) }
    }

    /// Flushes `fd`'s data and metadata to the disk.
    public static func fsync(_ fd: Int32) throws(PosixError) {
        try call("fsync") { Glibc.fsync(fd) }
    }

    /// Flushes the directory `path` (after a rename or a new file in it, so the name lasts).
    public static func fsyncDirectory(_ path: String) throws(PosixError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd)
    }

    /// Reads up to `count` bytes at `offset` into a new array; shorter at the end of the file.
    public static func read(_ fd: Int32, count: Int, at offset: Int) throws(PosixError) -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        let result: Result<Int, PosixError> = buffer.withUnsafeMutableBytes { raw in
            do throws(PosixError) { return .success(try Posix.read(fd, into: raw, at: offset)) } catch { return .failure(error) }
        }
        let filled = try result.get()
        buffer.removeLast(count - filled)
        return buffer
    }

    /// Cuts the file open as `fd` back to `length` bytes.
    public static func truncate(_ fd: Int32, to length: Int) throws(PosixError) {
        try call("ftruncate") { ftruncate(fd, off_t(length)) }
    }

    /// Wall-clock time in microseconds since the epoch.
    public static func realtimeMicroseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000 &+ Int64(ts.tv_nsec / 1000)
    }

    /// Nanoseconds on the monotonic clock, for durations and rate limits.
    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Makes a write past the file-size limit (`RLIMIT_FSIZE`) fail with EFBIG, which
    /// writers handle, instead of SIGXFSZ ending the process.
    public static func ignoreFileSizeSignal() {
        signal(SIGXFSZ, SIG_IGN)
    }

    /// This process's id.
    public static var processID: Int32 { getpid() }
}

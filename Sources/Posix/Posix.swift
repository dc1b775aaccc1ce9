#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, with the errno text an operator can act on.
public struct PosixError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// The one place system calls are made from Swift, as swift-nio's `Posix` does: failures
/// become typed `PosixError`s and interrupted calls are retried, so no caller repeats the
/// EINTR loop or forgets it.
public enum Posix {
    /// Runs `body` until it is not interrupted; a negative result throws with its errno.
    @discardableResult
    public static func call(_ name: String, _ body: () -> Int32) throws(PosixError) -> Int32 {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw PosixError(call: name, errno: code)
        }
    }

    /// Writes all of `bytes` to `fd`, retrying short and interrupted writes. On a failure
    /// the error says how many bytes had been written before it, so a caller that must
    /// never leave half a record can tell.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(PartialWriteError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, base + offset, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                // write(2) returning 0 for a non-empty buffer means no progress: treat as an error.
                throw PartialWriteError(written: offset, error: PosixError(call: "write", errno: n == 0 ? EIO : errno))
            }
        }
    }

    /// `writeAll` for an array of bytes.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(PartialWriteError) {
        let result: Result<Void, PartialWriteError> = bytes.withUnsafeBytes { raw in
            do throws(PartialWriteError) { return .success(try writeAll(fd, raw)) } catch { return .failure(error) }
        }
        try result.get()
    }

    public static func streamSocket(_ family: Int32) throws(PosixError) -> Int32 {
        try call("socket") { socket(family, Int32(SOCK_STREAM.rawValue), 0) }
    }

    public static func setOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32) throws(PosixError) {
        var v = value
        try call("setsockopt") { setsockopt(fd, level, option, &v, socklen_t(MemoryLayout<Int32>.size)) }
    }

    public static func getOption(_ fd: Int32, _ level: Int32, _ option: Int32) -> Int32? {
        var v: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, level, option, &v, &len) == 0 ? v : nil
    }

    public static func chmod(_ path: String, _ mode: mode_t) throws(PosixError) {
        try call("chmod \(path)") { Glibc.chmod(path, mode) }
    }

    /// Blocks `signals` in the calling thread; threads started later inherit the mask.
    public static func blockSignals(_ signals: [Int32]) {
        changeSignalMask(SIG_BLOCK, signals)
    }

    /// Unblocks `signals` in the calling thread; threads started later inherit the mask.
    public static func unblockSignals(_ signals: [Int32]) {
        changeSignalMask(SIG_UNBLOCK, signals)
    }

    private static func changeSignalMask(_ how: Int32, _ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(how, &set, nil)
    }
}

extension Posix {
    /// Waits up to `milliseconds` for one of `signals` (which must be blocked in every
    /// thread); nil on time-out or interruption.
    public static func waitForSignal(_ signals: [Int32], milliseconds: Int) -> Int32? {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        var timeout = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        let signal = sigtimedwait(&set, nil, &timeout)
        return signal > 0 ? signal : nil
    }
}

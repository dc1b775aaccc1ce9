#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, with the errno text an operator can act on.
public struct PosixError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// Thin wrappers that turn failing system calls into `PosixError`s (as swift-nio's `Posix` does).
enum Posix {
    @discardableResult
    static func call(_ name: String, _ body: () -> Int32) throws(PosixError) -> Int32 {
        let result = body()
        guard result >= 0 else { throw PosixError(call: name, errno: errno) }
        return result
    }

    static func streamSocket(_ family: Int32) throws(PosixError) -> Int32 {
        try call("socket") { Glibc.socket(family, Int32(SOCK_STREAM.rawValue), 0) }
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32) throws(PosixError) {
        var v = value
        try call("setsockopt") { setsockopt(fd, level, option, &v, socklen_t(MemoryLayout<Int32>.size)) }
    }

    static func getOption(_ fd: Int32, _ level: Int32, _ option: Int32) -> Int32? {
        var v: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, level, option, &v, &len) == 0 ? v : nil
    }

    static func chmod(_ path: String, _ mode: mode_t) throws(PosixError) {
        try call("chmod \(path)") { Glibc.chmod(path, mode) }
    }

    /// Blocks `signals` in the calling thread; threads started later inherit the mask.
    static func blockSignals(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}

import TrackingRuntime
#if canImport(Glibc)
import Glibc
#endif

/// The value of `load`, or the process stops with the error's text and exit code.
func orExit<T>(_ load: () throws(StartupError) -> T) -> T {
    do { return try load() } catch { fail(error.description, code: error.exitCode) }
}

/// Writes `tracking-milter: MESSAGE` to stderr and exits with `code`.
func fail(_ message: String, code: Int32 = EX_USAGE) -> Never {
    var line = Array("tracking-milter: \(message)\n".utf8)
    _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    exit(code)
}

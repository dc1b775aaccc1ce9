import Posix
#if canImport(Glibc)
import Glibc
#endif

/// Signal handling a libmilter process needs before it starts any thread.
public enum MilterSignals {
    /// Blocks SIGTERM, SIGINT and SIGHUP and ignores SIGPIPE in the calling thread.
    ///
    /// Call it first thing in `main`, before anything can start a thread: libmilter waits
    /// for these signals in a thread of its own (`sigwait`), and a thread started earlier
    /// without the mask would take the signal and kill the process instead of a clean stop.
    public static func blockTerminationSignals() {
        Posix.blockSignals([SIGTERM, SIGINT, SIGHUP])
        signal(SIGPIPE, SIG_IGN)
    }
}

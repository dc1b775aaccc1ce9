import Posix
#if canImport(Glibc)
import Glibc
#endif

/// Signal handling a libmilter process needs before it starts any thread.
public enum MilterSignals {
    /// Blocks SIGTERM, SIGINT, SIGHUP and the reload signal and ignores SIGPIPE in the calling thread.
    ///
    /// Call it first thing in `main`, before anything can start a thread: libmilter waits
    /// for these signals in a thread of its own (`sigwait`), and a thread started earlier
    /// without the mask would take the signal and kill the process instead of a clean stop.
    public static func blockTerminationSignals() {
        Posix.blockSignals([SIGTERM, SIGINT, SIGHUP, reloadSignal])
        signal(SIGPIPE, SIG_IGN)
    }

    /// A second reload signal besides SIGHUP (`MilterServer.run`'s `reload`): libmilter's
    /// own signal thread also waits for SIGHUP, and in the rare case that it takes one it
    /// stops the milter; SIGUSR1 it never takes.
    public static let reloadSignal = SIGUSR1
}

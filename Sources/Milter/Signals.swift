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

    /// The signal a milter built on this library reloads on. SIGHUP cannot be it: libmilter
    /// waits for SIGHUP itself and stops, as on SIGTERM. Blocked with the others above, so
    /// that a `SignalWaiter` thread takes it.
    public static let reloadSignal = SIGUSR1
}

import Posix
#if canImport(Glibc)
import Glibc
#endif

/// Signal set-up for the tracker process.
public enum TrackerSignals {
    /// Undoes `MilterSignals.blockTerminationSignals()` (which `main` runs for libmilter before
    /// any thread starts) for the calling thread, and so for every thread it starts later:
    /// the tracker's SIGTERM/SIGINT/SIGHUP are handled by swift-service-lifecycle. Call it
    /// first thing, before anything starts a thread.
    public static func unblockTerminationSignals() {
        Posix.unblockSignals([SIGTERM, SIGINT, SIGHUP])
    }
}

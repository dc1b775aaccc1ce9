import Posix
#if canImport(Glibc)
import Glibc
#endif

/// Signal set-up for the tracker process.
public enum TrackerSignals {
    /// Undoes `MilterSignals.blockTerminationSignals()` (which `main` runs for libmilter before
    /// any thread starts) for the calling thread, and so for every thread it starts later:
    /// the tracker's SIGTERM/SIGINT/SIGHUP/SIGUSR1 are handled by swift-service-lifecycle. Call it
    /// first thing, before anything starts a thread.
    public static func unblockTerminationSignals() {
        Posix.unblockSignals([SIGTERM, SIGINT, SIGHUP, SIGUSR1])
        // Past a file-size limit a write must fail with EFBIG, which the events writer
        // handles, instead of the signal killing the process.
        Posix.ignoreFileSizeSignal()
    }
}

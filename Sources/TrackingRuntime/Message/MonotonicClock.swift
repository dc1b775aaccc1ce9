#if canImport(Glibc)
import Glibc
#endif

/// Nanoseconds on the monotonic clock, for durations in log lines and metrics.
public func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

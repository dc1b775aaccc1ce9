import Posix

/// Nanoseconds on the monotonic clock, for durations in log lines and metrics.
public func monotonicNanoseconds() -> UInt64 { Posix.monotonicNanoseconds() }

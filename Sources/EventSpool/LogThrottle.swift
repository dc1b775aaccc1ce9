import Posix

/// At most one log line per interval for a condition that may repeat per event (a full
/// spool), with the count of occurrences the silent ones stood for.
struct LogThrottle: Sendable {
    let intervalNanoseconds: UInt64
    private var lastLogged: UInt64?
    /// Occurrences since the last line, including the one that will be logged.
    private(set) var unlogged = 0

    init(seconds: UInt64) { intervalNanoseconds = seconds * 1_000_000_000 }

    /// Counts `count` occurrences; true when they should be logged now (then `unlogged`
    /// says how many the line stands for, and `logged()` resets it).
    mutating func occur(_ count: Int = 1, now: UInt64 = Posix.monotonicNanoseconds()) -> Bool {
        unlogged += count
        guard let lastLogged else { return true }
        return now &- lastLogged >= intervalNanoseconds
    }

    mutating func logged(now: UInt64 = Posix.monotonicNanoseconds()) {
        lastLogged = now
        unlogged = 0
    }

    /// Whether the condition was logged and has not been declared over since.
    var isActive: Bool { lastLogged != nil }

    /// The condition is over: the next occurrence logs at once.
    mutating func reset() {
        lastLogged = nil
        unlogged = 0
    }
}

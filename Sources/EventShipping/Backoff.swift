/// The wait between attempts at one batch: doubling from `initial` up to `maximum`, with
/// "equal jitter" (half the wait fixed, half random) so many shippers that failed together
/// do not retry together, yet each waits at least half its step.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The step before jitter after `failures` failed attempts (1: `initial`).
    public func step(afterFailures failures: Int) -> Duration {
        var step = initial
        for _ in 1..<max(1, min(failures, 64)) {
            step = step * 2
            if step >= maximum { return maximum }
        }
        return min(step, maximum)
    }

    /// The wait after `failures` failed attempts; `random` in 0..<1 (passed in, so tests can
    /// pin it).
    public func delay(afterFailures failures: Int, random: Double) -> Duration {
        let step = self.step(afterFailures: failures)
        let unit = min(max(random, 0), 1)
        return step / 2 + (step / 2) * unit
    }
}

import Synchronization

/// Per-client click limiting: a token bucket of `perMinute` clicks per address, refilled
/// continuously, so a burst of `perMinute` is allowed and then one click every 60/perMinute s.
///
/// Memory is bounded: addresses live in two generations of at most `capacity / 2 / shards`
/// entries per shard. When the current generation is full it becomes the previous one and the
/// old previous one is dropped, so the least recently seen addresses go first; an address that
/// is still clicking is moved back to the current generation when it is seen. Forgetting an
/// address only ever forgives it (it starts again with a full bucket).
final class ClickRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private struct Shard {
        var current: [[UInt8]: Bucket] = [:]
        var previous: [[UInt8]: Bucket] = [:]
    }

    let perMinute: Int
    let capacity: Int
    private let generationLimit: Int
    private final class ShardLock: Sendable {
        let mutex = Mutex(Shard())
    }

    private let shards: [ShardLock]
    /// Seconds on a monotonic clock.
    private let now: @Sendable () -> Double

    static let shardCount = 8

    /// - Parameters:
    ///   - perMinute: clicks per minute per address; 0 allows everything.
    ///   - capacity: the most addresses remembered at once (at least 16).
    init(perMinute: Int, capacity: Int, now: @escaping @Sendable () -> Double = TrackerClock.monotonicSeconds) {
        self.perMinute = perMinute
        self.capacity = max(capacity, 16)
        self.generationLimit = max(self.capacity / 2 / Self.shardCount, 1)
        self.shards = (0..<Self.shardCount).map { _ in ShardLock() }
        self.now = now
    }

    var isEnabled: Bool { perMinute > 0 }

    /// Takes one click from the address's bucket; false when it is empty (answer `403`).
    func allow(_ address: [UInt8]) -> Bool {
        guard perMinute > 0 else { return true }
        let time = now()
        let limit = Double(perMinute)
        let refillPerSecond = limit / 60
        let generationLimit = self.generationLimit
        return shards[Self.shardIndex(address)].mutex.withLock { shard in
            var bucket = shard.current[address] ?? shard.previous.removeValue(forKey: address)
                ?? Bucket(tokens: limit, updated: time)
            bucket.tokens = min(limit, bucket.tokens + max(0, time - bucket.updated) * refillPerSecond)
            bucket.updated = time
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            if shard.current[address] == nil && shard.current.count >= generationLimit {
                shard.previous = shard.current
                shard.current = [:]
                shard.current.reserveCapacity(generationLimit)
            }
            shard.current[address] = bucket
            return allowed
        }
    }

    /// How many addresses are remembered now (never more than `capacity`).
    var trackedAddresses: Int {
        shards.reduce(0) { total, shard in total + shard.mutex.withLock { $0.current.count + $0.previous.count } }
    }

    private static func shardIndex(_ address: [UInt8]) -> Int {
        // FNV-1a over the address: cheap and spreads neighbouring addresses.
        var hash: UInt32 = 2_166_136_261
        for byte in address { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(shardCount))
    }
}

/// The tracker's monotonic clock, in seconds.
public enum TrackerClock {
    @Sendable public static func monotonicSeconds() -> Double {
        let now = ContinuousClock.now - ContinuousClock.Instant.zeroReference
        return Double(now.components.seconds) + Double(now.components.attoseconds) / 1e18
    }
}

extension ContinuousClock.Instant {
    /// A fixed instant to measure from (the clock's own origin is not public).
    fileprivate static let zeroReference = ContinuousClock.now
}

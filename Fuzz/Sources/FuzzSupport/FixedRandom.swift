import Tracking

/// A seeded generator: a fuzz run must reproduce from the input file alone, so message ids
/// (the only randomness `Tracking` takes) come from here, the same on every run.
public struct FixedRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64 = 0x5EED_F022) { state = seed }

    public mutating func next() -> UInt64 {
        // SplitMix64.
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension TokenSealer {
    /// A sealer whose message id comes from `FixedRandom`.
    public convenience init(keyring: TrackingKeyring) {
        var random = FixedRandom()
        self.init(keyring: keyring, random: &random)
    }
}

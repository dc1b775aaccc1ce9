/// What one interpreter may spend. The instruction budget is per call (one hook phase of
/// one message); the memory budget covers everything the interpreter holds, script included.
public struct PolicyScriptBudget: Sendable, Equatable {
    /// Lua VM instructions per call; about 5 ms of work on a current core.
    public var maxInstructions: Int
    /// Bytes one interpreter may hold.
    public var maxBytes: Int
    /// How often the instruction hook runs: a coarser hook costs less, a finer one stops
    /// sooner and names the line of a memory overrun more exactly.
    public var hookInterval: Int

    public init(maxInstructions: Int = 1_000_000, maxBytes: Int = 8 << 20, hookInterval: Int = 1000) {
        self.maxInstructions = maxInstructions
        self.maxBytes = maxBytes
        self.hookInterval = hookInterval
    }
}

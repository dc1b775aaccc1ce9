/// `limits.spill_threshold_bytes` and `limits.spill_directory`: how much of a rewritten
/// body stays in memory, and where the rest waits for the MTA (docs/configuration.md).
public struct BodySpillSettings: Sendable, Equatable {
    /// Bytes of a new body kept in memory; the rest goes to an unnamed temporary file.
    /// 2 MiB: most mail stays in memory, and a large message costs little above the process.
    public var thresholdBytes = 2 << 20
    /// Where those files are made; relative paths are relative to the configuration file.
    /// A disk file system: on a tmpfs the "file" is memory again.
    public var directory = Located("/var/tmp")

    public init() {}
}

import EventSpool

/// `events.spool`: the directory of segment files producers append to (docs/events.md).
public struct SpoolSettings: Sendable, Equatable {
    /// The spool directory; relative paths are relative to the configuration file.
    public var directory: String
    /// The spool's total size bound, over all segment files.
    public var maxBytes = 1 << 30
    /// A segment is closed and a new one started past this size.
    public var segmentBytes = 8 << 20
    /// What happens when an append would pass `maxBytes`.
    public var whenFull: SpoolFullPolicy = .dropOldest

    public init(directory: String) { self.directory = directory }
}


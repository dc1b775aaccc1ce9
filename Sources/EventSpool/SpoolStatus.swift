/// Why an event did not reach the spool, or left it unshipped (the `reason` label of
/// `events_spool_dropped_events_total`).
public enum SpoolDropReason: String, Sendable, CaseIterable {
    /// The spool was at `max_bytes` and the new event was given up (`stop_recording`, or
    /// `drop_oldest` with no closed segment left to delete).
    case full
    /// In a segment that `drop_oldest` deleted to make room.
    case oldest
    /// The disk refused writes for so long that the in-memory backlog filled up.
    case backlog
    /// Longer than `SpoolDirectory.maxLineBytes`.
    case tooLarge = "too_large"
}

/// A spool writer's counts since it started, for metrics and the shutdown line.
public struct SpoolStatus: Sendable, Equatable {
    /// Events appended to a segment.
    public var appendedEvents = 0
    /// Events lost, by reason.
    public var droppedEvents: [SpoolDropReason: Int] = [:]
    /// Segments `drop_oldest` deleted.
    public var droppedSegments = 0
    /// The spool's size as this writer last counted it (all producers' segments).
    public var bytes = 0
    /// Writes that failed (each retried from memory).
    public var failedWrites = 0
    /// Events kept in memory, waiting for the disk to take writes again.
    public var pendingEvents = 0

    public init() {}

    public func dropped(_ reason: SpoolDropReason) -> Int { droppedEvents[reason] ?? 0 }
}

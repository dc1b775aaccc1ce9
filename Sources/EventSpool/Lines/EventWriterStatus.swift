/// How a line writer is doing (the events file, the spool's backlog), for metrics and the
/// shutdown line.
public struct EventWriterStatus: Sendable, Equatable {
    /// Writes that failed (each failed line counts once per attempt).
    public var failedWrites = 0
    /// Lines given up because the backlog was full: these events are lost.
    public var droppedLines = 0
    /// Lines kept in memory, waiting for the output to take them again.
    public var pendingLines = 0

    public init(failedWrites: Int = 0, droppedLines: Int = 0, pendingLines: Int = 0) {
        self.failedWrites = failedWrites
        self.droppedLines = droppedLines
        self.pendingLines = pendingLines
    }
}

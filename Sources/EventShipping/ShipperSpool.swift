/// What the shipper needs from the spool directory (docs/events.md, "Spool format"): the
/// segments, whether a writer may still append to one, whole lines from an offset, and
/// deleting a segment every sink has passed. `SegmentDirectory` implements it on the files.
public protocol ShipperSpool: Sendable {
    /// Segment file names (`seg-….jsonl`), oldest first.
    func segments() throws -> [String]
    /// The segment's size in bytes now, or nil when it is gone.
    func size(of segment: String) throws -> Int?
    /// Whether no writer appends to the segment any more.
    func isClosed(_ segment: String) -> Bool
    /// Whole lines from `offset`, together at most `maxBytes` long (newlines included) —
    /// except that a first line longer than that comes alone. A line longer than
    /// `SpoolRead.maxLineBytes` is skipped: `next` moves past it and `skipped` counts it.
    func readLines(_ segment: String, from offset: Int, maxBytes: Int) throws -> SpoolRead
    /// Removes a segment (missing is fine).
    func delete(_ segment: String) throws
}

/// Lines read from one segment.
public struct SpoolRead: Sendable {
    /// Each line without its newline.
    public var lines: [[UInt8]]
    /// The offset just past the last line read (or skipped).
    public var next: Int
    /// Over-long lines passed over.
    public var skipped: Int

    /// No event line is longer: anything longer is not one of ours (1 MiB).
    public static let maxLineBytes = 1 << 20

    public init(lines: [[UInt8]], next: Int, skipped: Int = 0) {
        self.lines = lines
        self.next = next
        self.skipped = skipped
    }
}

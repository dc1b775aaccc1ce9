import DequeModule

/// Event lines waiting for the output to take them again, oldest first, bounded in bytes:
/// a full disk must not grow the tracker's memory without limit.
struct EventBacklog {
    /// The head may be the rest of a line the output took only part of (a pipe that could
    /// not be cut back): it must go out before anything else, so the line is completed.
    private(set) var lines: Deque<[UInt8]> = []
    private(set) var bytes = 0
    let maxBytes: Int

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    var isEmpty: Bool { lines.isEmpty }
    var count: Int { lines.count }

    /// Keeps `line` at the end; false (and not kept) when that would pass the bound.
    mutating func append(_ line: [UInt8]) -> Bool {
        guard bytes + line.count <= maxBytes else { return false }
        lines.append(line)
        bytes += line.count
        return true
    }

    /// Puts the unwritten rest of a line first.
    mutating func prepend(_ rest: [UInt8]) {
        lines.prepend(rest)
        bytes += rest.count
    }

    mutating func removeFirst() -> [UInt8]? {
        guard let first = lines.popFirst() else { return nil }
        bytes -= first.count
        return first
    }
}

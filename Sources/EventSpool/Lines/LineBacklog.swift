import DequeModule

/// Event lines waiting for the output to take them again, oldest first, bounded in bytes:
/// a full disk must not grow a service's memory without limit.
public struct LineBacklog: Sendable {
    /// The head may be the rest of a line the output took only part of (a pipe that could
    /// not be cut back): it must go out before anything else, so the line is completed.
    public private(set) var lines: Deque<[UInt8]> = []
    public private(set) var bytes = 0
    public let maxBytes: Int

    public init(maxBytes: Int) { self.maxBytes = max(0, maxBytes) }

    public var isEmpty: Bool { lines.isEmpty }
    public var count: Int { lines.count }

    /// Keeps `line` at the end; false (and not kept) when that would pass the bound.
    public mutating func append(_ line: [UInt8]) -> Bool {
        guard line.count <= maxBytes - bytes else { return false }
        lines.append(line)
        bytes += line.count
        return true
    }

    /// Puts a line (or the unwritten rest of one) first.
    public mutating func prepend(_ line: [UInt8]) {
        lines.prepend(line)
        bytes += line.count
    }

    public mutating func removeFirst() -> [UInt8]? {
        guard let first = lines.popFirst() else { return nil }
        bytes -= first.count
        return first
    }
}

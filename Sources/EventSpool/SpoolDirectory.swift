import Posix
#if canImport(Glibc)
import Glibc
#endif

/// Reading the spool, for the shipper and `report`: list the segments in order, tell
/// whether one is closed, read whole lines from an offset, delete a segment. Readers never
/// take a lock that a writer waits for: `isClosed` only tries a shared lock and drops it.
public struct SpoolDirectory: Sendable {
    /// The longest line a writer appends (1 MiB); a longer one can only be damage, and
    /// `readLines` skips it.
    public static let maxLineBytes = 1 << 20

    public let path: String

    public init(path: String) { self.path = path }

    /// The segment files, oldest first (by name, which is time order). Other files (the
    /// checkpoints, temporary files) are not listed.
    public func segments() throws(SpoolError) -> [SpoolSegment] {
        do {
            return try Posix.directoryEntries(path).compactMap(SpoolSegment.init(name:)).sorted()
        } catch {
            throw SpoolError("cannot list the event spool \(path): \(error); check events.spool.dir exists and is readable", cause: error)
        }
    }

    /// The full path of `segment`.
    public func path(of segment: SpoolSegment) -> String { path + "/" + segment.name }

    /// The size of `segment` in bytes; nil when it is gone (deleted by another reader or
    /// a full spool's `drop_oldest`).
    public func size(of segment: SpoolSegment) throws(SpoolError) -> Int? {
        do { return try Posix.fileSize(atPath: path(of: segment)) } catch {
            throw SpoolError("cannot read the size of \(path(of: segment)): \(error)", cause: error)
        }
    }

    /// The sum of the sizes of all segments: what `events.spool.max_bytes` bounds.
    public func totalBytes() throws(SpoolError) -> Int {
        var total = 0
        for segment in try segments() { total += try size(of: segment) ?? 0 }
        return total
    }

    /// Whether nobody appends to `segment` any more: a non-blocking shared `flock` succeeds
    /// (its writer rotated, exited or was killed). A segment that is gone counts as closed.
    public func isClosed(_ segment: SpoolSegment) throws(SpoolError) -> Bool {
        let fd: Int32
        do { fd = try Posix.open(path(of: segment), O_RDONLY) } catch {
            if error.errno == ENOENT { return true }
            throw SpoolError("cannot open \(path(of: segment)): \(error)", cause: error)
        }
        defer { Posix.close(fd) }
        do {
            let locked = try Posix.tryLock(fd, .shared)
            if locked { Posix.unlock(fd) }
            return locked
        } catch {
            throw SpoolError("cannot lock \(path(of: segment)): \(error)", cause: error)
        }
    }

    /// Whole lines of `segment` starting at byte `offset`, reading at most `maxBytes` bytes
    /// (at least one line's worth: a line longer than `maxBytes` is still returned whole).
    /// Bytes after the last newline (a line being written, or torn by a crash) are left
    /// for a later read: `endOffset` stops before them. A gone segment reads as empty.
    public func readLines(_ segment: SpoolSegment, from offset: Int, maxBytes: Int) throws(SpoolError) -> SpoolLines {
        try SpoolLines.read(file: path(of: segment), from: offset, maxBytes: maxBytes)
    }

    /// The whole lines `segment` holds (events lost when a full spool deletes it).
    func lineCount(of segment: SpoolSegment) throws(PosixError) -> Int {
        let fd = try Posix.open(path(of: segment), O_RDONLY)
        defer { Posix.close(fd) }
        return try SpoolLines.count(fd)
    }

    /// Deletes `segment`; one that is already gone is fine.
    public func delete(_ segment: SpoolSegment) throws(SpoolError) {
        do { try Posix.unlink(path(of: segment)) } catch {
            throw SpoolError("cannot delete \(path(of: segment)): \(error); the spool directory must be writable by this user", cause: error)
        }
    }
}

/// Whole lines read from a segment.
public struct SpoolLines: Sendable {
    /// Whole lines of any JSON-lines file (a segment, or the tracker's events file for
    /// `report`) from byte `offset`, as `SpoolDirectory.readLines` describes. A file that is
    /// gone reads as empty.
    public static func read(file: String, from offset: Int, maxBytes: Int) throws(SpoolError) -> SpoolLines {
        let fd: Int32
        do { fd = try Posix.open(file, O_RDONLY) } catch {
            if error.errno == ENOENT { return SpoolLines(lines: [], endOffset: offset, skippedBytes: 0) }
            throw SpoolError("cannot open \(file): \(error)", cause: error)
        }
        defer { Posix.close(fd) }
        do throws(PosixError) {
            return try read(fd, from: max(0, offset), maxBytes: max(1, maxBytes))
        } catch {
            throw SpoolError("cannot read \(file): \(error)", cause: error)
        }
    }

    /// Each line without its newline, in file order.
    public var lines: [[UInt8]]
    /// Where the next read starts: just after the last newline read.
    public var endOffset: Int
    /// Bytes of lines longer than `SpoolDirectory.maxLineBytes` that were passed over
    /// (only damage makes them).
    public var skippedBytes: Int

    static func read(_ fd: Int32, from offset: Int, maxBytes: Int) throws(PosixError) -> SpoolLines {
        let unchanged = SpoolLines(lines: [], endOffset: offset, skippedBytes: 0)
        // Bounded by what the file holds, so a generous maxBytes allocates no more than that.
        let available = try Posix.fileSize(fd) - offset
        guard available > 0 else { return unchanged }
        var window = try Posix.read(fd, count: min(maxBytes, available), at: offset)
        if window.lastIndex(of: 0x0A) == nil, window.count < available, maxBytes < SpoolDirectory.maxLineBytes {
            // The first line is longer than the bound: read it whole, up to the line limit.
            window = try Posix.read(fd, count: min(SpoolDirectory.maxLineBytes, available), at: offset)
        }
        guard let last = window.lastIndex(of: 0x0A) else {
            // No newline: a line still being written, or (past the limit) damage to pass over.
            return window.count >= SpoolDirectory.maxLineBytes ? try skipOversizedLine(fd, from: offset) : unchanged
        }
        let lines = window[..<last].split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        return SpoolLines(lines: lines, endOffset: offset + last + 1, skippedBytes: 0)
    }

    /// Passes over a line longer than the limit, through its newline; an unfinished one
    /// stays where it is.
    private static func skipOversizedLine(_ fd: Int32, from offset: Int) throws(PosixError) -> SpoolLines {
        var position = offset
        while true {
            let chunk = try Posix.read(fd, count: 1 << 16, at: position)
            if let newline = chunk.firstIndex(of: 0x0A) {
                let end = position + newline + 1
                return SpoolLines(lines: [], endOffset: end, skippedBytes: end - offset)
            }
            guard chunk.count == 1 << 16 else { return SpoolLines(lines: [], endOffset: offset, skippedBytes: 0) }
            position += chunk.count
        }
    }

    /// How many whole lines the open file `fd` holds (for counting events lost with a
    /// deleted segment).
    static func count(_ fd: Int32) throws(PosixError) -> Int {
        var position = 0
        var lines = 0
        while true {
            let chunk = try Posix.read(fd, count: 1 << 16, at: position)
            lines += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            guard chunk.count == 1 << 16 else { return lines }
            position += chunk.count
        }
    }
}

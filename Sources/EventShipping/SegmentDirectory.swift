import Posix
#if canImport(Glibc)
import Glibc
#endif

/// The spool directory read straight from its files, following the format in
/// docs/events.md; the shipper's `ShipperSpool` until the EventSpool module provides one.
public struct SegmentDirectory: ShipperSpool {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public func segments() throws -> [String] {
        guard let dir = opendir(directory) else { throw PosixError(call: "opendir \(directory)", errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix("seg-") && name.hasSuffix(".jsonl") { names.append(name) }
        }
        return names.sorted()
    }

    public func size(of segment: String) throws -> Int? {
        var info = stat()
        if stat(path(segment), &info) != 0 {
            if errno == ENOENT { return nil }
            throw PosixError(call: "stat \(path(segment))", errno: errno)
        }
        return Int(info.st_size)
    }

    public func isClosed(_ segment: String) -> Bool {
        guard let fd = try? Posix.call("open", { open(path(segment), O_RDONLY | O_CLOEXEC) }) else {
            return true  // gone: nobody appends to it
        }
        defer { close(fd) }
        // The writer holds LOCK_EX while it may append; a shared lock succeeds only after.
        guard (try? Posix.call("flock", { flock(fd, LOCK_SH | LOCK_NB) })) != nil else { return false }
        _ = flock(fd, LOCK_UN)
        return true
    }

    public func readLines(_ segment: String, from offset: Int, maxBytes: Int) throws -> SpoolRead {
        let fd: Int32
        do { fd = try Posix.call("open \(path(segment))") { open(path(segment), O_RDONLY | O_CLOEXEC) } } catch {
            if error.errno == ENOENT { return SpoolRead(lines: [], next: offset) }
            throw error
        }
        defer { close(fd) }
        var buffer = try read(fd, at: offset, count: max(1, maxBytes))
        var lastNewline = buffer.lastIndex(of: 0x0A)
        if lastNewline == nil && buffer.count == maxBytes && maxBytes < SpoolRead.maxLineBytes + 1 {
            // The first line is longer than the batch allows: it may still be a whole event.
            buffer = try read(fd, at: offset, count: SpoolRead.maxLineBytes + 1)
            lastNewline = buffer.firstIndex(of: 0x0A)
        }
        guard let end = lastNewline else {
            guard buffer.count > SpoolRead.maxLineBytes else { return SpoolRead(lines: [], next: offset) }
            return try skipLongLine(fd, from: offset)
        }
        var lines: [[UInt8]] = []
        var start = 0
        while start <= end, let newline = buffer[start...end].firstIndex(of: 0x0A) {
            lines.append(Array(buffer[start..<newline]))
            start = newline + 1
        }
        return SpoolRead(lines: lines, next: offset + end + 1)
    }

    public func delete(_ segment: String) throws {
        if unlink(path(segment)) != 0 && errno != ENOENT { throw PosixError(call: "unlink \(path(segment))", errno: errno) }
    }

    func path(_ name: String) -> String { directory + "/" + name }

    private func read(_ fd: Int32, at offset: Int, count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try buffer.withUnsafeMutableBytes { raw throws(PosixError) -> Int32 in
                guard let base = raw.baseAddress else { return 0 }
                return try Posix.call("pread") { Int32(truncatingIfNeeded: pread(fd, base + filled, count - filled, off_t(offset + filled))) }
            }
            if n == 0 { break }
            filled += Int(n)
        }
        buffer.removeSubrange(filled...)
        return buffer
    }

    /// Past a line longer than any event: to just after its newline, or nowhere yet when the
    /// newline is not written (only a crashed writer leaves that, at a segment's end).
    private func skipLongLine(_ fd: Int32, from offset: Int) throws -> SpoolRead {
        var position = offset + SpoolRead.maxLineBytes
        while true {
            let chunk = try read(fd, at: position, count: 1 << 16)
            if chunk.isEmpty { return SpoolRead(lines: [], next: offset) }
            if let newline = chunk.firstIndex(of: 0x0A) { return SpoolRead(lines: [], next: position + newline + 1, skipped: 1) }
            position += chunk.count
        }
    }
}

import Posix
#if canImport(Glibc)
import Glibc
#endif

/// How far one sink has read the spool: per segment, the byte offset just after the last
/// line it delivered. Segments it has not started read from 0.
public struct SpoolCheckpoint: Sendable, Equatable {
    /// Segment file name → bytes read.
    public var offsets: [String: Int]

    public init(offsets: [String: Int] = [:]) { self.offsets = offsets }

    /// Where reading `segment` goes on.
    public func offset(of segment: SpoolSegment) -> Int { offsets[segment.name] ?? 0 }

    public mutating func set(_ offset: Int, for segment: SpoolSegment) { offsets[segment.name] = offset }

    /// Drops the entries of segments that are no longer in the spool (deleted), so the
    /// checkpoint stays as small as the spool.
    public mutating func keepOnly(_ segments: [SpoolSegment]) {
        let present = Set(segments.map(\.name))
        offsets = offsets.filter { present.contains($0.key) }
    }
}

/// `ship-<sink>.checkpoint` in the spool directory: one sink's checkpoint, saved so that a
/// crash at any moment leaves either the old or the new one (a temporary file, fsync,
/// rename, fsync of the directory).
///
/// The file is text: a header line, then `<segment name> <offset>` per line.
public struct CheckpointStore: Sendable {
    public let sink: String
    /// The checkpoint file's path.
    public let path: String
    private let directory: String

    static let header = "# tracking-milter spool checkpoint v1"
    /// A checkpoint larger than this is not one this code wrote.
    static let maxFileBytes = 16 << 20

    /// - Parameter sink: the sink's name (`webhook-main`, `postgres`): letters, digits,
    ///   `.`, `_`, `-`, at most 100 characters.
    public init(spool: SpoolDirectory, sink: String) throws(SpoolError) {
        let allowed = sink.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard allowed, (1...100).contains(sink.utf8.count), sink.first != "." else {
            throw SpoolError("\"\(sink)\" cannot name a checkpoint file: use letters, digits, '.', '_' and '-' (at most 100)")
        }
        self.sink = sink
        self.directory = spool.path
        self.path = spool.path + "/ship-" + sink + ".checkpoint"
    }

    /// The saved checkpoint; an empty one when none was saved yet.
    public func load() throws(SpoolError) -> SpoolCheckpoint {
        let bytes: [UInt8]
        do {
            let fd = try Posix.open(path, O_RDONLY)
            defer { Posix.close(fd) }
            bytes = try Posix.read(fd, count: min(try Posix.fileSize(fd), Self.maxFileBytes + 1), at: 0)
        } catch {
            if error.errno == ENOENT { return SpoolCheckpoint() }
            throw SpoolError("cannot read the checkpoint \(path): \(error)", cause: error)
        }
        guard bytes.count <= Self.maxFileBytes else { throw damaged("larger than \(Self.maxFileBytes) bytes") }
        var lines = bytes.split(separator: 0x0A)
        guard let first = lines.first, String(decoding: first, as: UTF8.self) == Self.header else {
            throw damaged("it does not start with \"\(Self.header)\"")
        }
        lines.removeFirst()
        var checkpoint = SpoolCheckpoint()
        for line in lines {
            let fields = line.split(separator: 0x20)
            guard fields.count == 2, let segment = SpoolSegment(name: String(decoding: fields[0], as: UTF8.self)),
                  fields[1].count <= 18, fields[1].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let offset = Int(String(decoding: fields[1], as: UTF8.self))
            else { throw damaged("a line is not \"<segment> <offset>\"") }
            checkpoint.set(offset, for: segment)
        }
        return checkpoint
    }

    /// Saves `checkpoint` durably, replacing the previous one.
    public func save(_ checkpoint: SpoolCheckpoint) throws(SpoolError) {
        var text = Self.header + "\n"
        for (name, offset) in checkpoint.offsets.sorted(by: { $0.key < $1.key }) { text += "\(name) \(max(0, offset))\n" }
        let temporary = path + ".tmp"
        do throws(PosixError) {
            let fd = try Posix.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
            defer { Posix.close(fd) }
            let failure = Array(text.utf8).withUnsafeBytes { raw -> PartialWriteError? in
                do throws(PartialWriteError) { try Posix.writeAll(fd, raw) } catch { return error }
                return nil
            }
            if let failure { throw failure.error }
            try Posix.fsync(fd)
            try Posix.rename(temporary, to: path)
            try Posix.fsyncDirectory(directory)
        } catch {
            _ = try? Posix.unlink(temporary)
            throw SpoolError("cannot save the checkpoint \(path): \(error); the spool directory must be writable and have space", cause: error)
        }
    }

    private func damaged(_ why: String) -> SpoolError {
        SpoolError("the checkpoint \(path) is damaged (\(why)); delete it to ship the spool again from its start (sinks de-duplicate on event_id)")
    }
}

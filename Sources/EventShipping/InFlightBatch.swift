import Foundation
import Posix
#if canImport(Glibc)
import Glibc
#endif

/// The batch a sink is trying to deliver: lines `[offset, next)` of `segment`. Recorded
/// before the first attempt so that a restart re-sends exactly that batch under the same
/// id, and keeps counting `max_retry_seconds` from the first attempt.
public struct InFlightBatch: Codable, Sendable, Equatable {
    public var segment: String
    public var offset: Int
    public var next: Int
    public var count: Int
    /// Unix seconds of its first attempt.
    public var firstAttempt: Double

    enum CodingKeys: String, CodingKey {
        case segment, offset, next, count
        case firstAttempt = "first_attempt"
    }

    public init(segment: String, offset: Int, next: Int, count: Int, firstAttempt: Double) {
        self.segment = segment
        self.offset = offset
        self.next = next
        self.count = count
        self.firstAttempt = firstAttempt
    }
}

/// `ship-<sink>.inflight` in the spool directory: the sink's `InFlightBatch`, next to its
/// checkpoint. Written to a temporary file and renamed; removed once the batch is through.
/// Losing it costs only the id's stability (the checkpoint still decides what is re-sent).
public struct InFlightStore: Sendable {
    public let path: String

    public init(spoolDirectory: String, sink: String) {
        path = "\(spoolDirectory)/ship-\(sink).inflight"
    }

    /// The recorded batch; nil when there is none or the file is not one (then a new batch
    /// is formed from the checkpoint, which is safe).
    public func load() -> InFlightBatch? {
        guard let fd = try? Posix.open(path, O_RDONLY) else { return nil }
        defer { Posix.close(fd) }
        guard let bytes = try? Posix.read(fd, count: 4096, at: 0), bytes.count < 4096 else { return nil }
        return try? JSONDecoder().decode(InFlightBatch.self, from: Data(bytes))
    }

    public func save(_ batch: InFlightBatch) throws {
        let temporary = path + ".tmp"
        let bytes = Array(try JSONEncoder().encode(batch)) + [0x0A]
        let fd = try Posix.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        defer { Posix.close(fd) }
        try Posix.writeAll(fd, bytes)
        try Posix.rename(temporary, to: path)
    }

    public func clear() {
        _ = try? Posix.unlink(path)
    }
}

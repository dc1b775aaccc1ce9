import Foundation
import Posix
#if canImport(Glibc)
import Glibc
#endif

/// One sink's place in the spool (`ship-SINK.checkpoint`): how far it has delivered in each
/// segment, and the batch it is trying to deliver, so a restart re-sends exactly that batch
/// under the same id and keeps its retry deadline.
public struct ShipCheckpoint: Codable, Sendable, Equatable {
    /// Segment name to progress. A segment not listed has not been started.
    public var segments: [String: SegmentProgress] = [:]
    /// The batch being delivered, if one is.
    public var inFlight: InFlightBatch?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case segments
        case inFlight = "in_flight"
    }

    public func offset(in segment: String) -> Int { segments[segment]?.offset ?? 0 }
    public func isDone(_ segment: String) -> Bool { segments[segment]?.done ?? false }
}

/// How far a sink has delivered in one segment.
public struct SegmentProgress: Codable, Sendable, Equatable {
    /// Bytes delivered (or skipped as unreadable) from the start.
    public var offset: Int
    /// Closed and read to its end: nothing more will come.
    public var done: Bool

    public init(offset: Int, done: Bool = false) {
        self.offset = offset
        self.done = done
    }
}

/// The extent of a batch being delivered: lines `[offset, next)` of `segment`.
public struct InFlightBatch: Codable, Sendable, Equatable {
    public var segment: String
    public var offset: Int
    public var next: Int
    public var count: Int
    /// Unix seconds of its first attempt; `max_retry_seconds` counts from here.
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

/// Reads and writes checkpoint files in the spool directory. A write goes to a temporary
/// file that is renamed over the old one, so a crash leaves the old or the new checkpoint.
public struct CheckpointStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public func path(sink: String) -> String { "\(directory)/ship-\(sink).checkpoint" }

    /// The sink's checkpoint; a missing one is the start of the spool. An unreadable one
    /// throws: starting over would re-send the whole spool, which the operator should decide.
    public func load(sink: String) throws -> ShipCheckpoint {
        let path = path(sink: sink)
        guard let data = FileManager.default.contents(atPath: path) else {
            if access(path, F_OK) != 0 && errno == ENOENT { return ShipCheckpoint() }
            throw PosixError(call: "read \(path)", errno: errno == 0 ? EIO : errno)
        }
        do { return try JSONDecoder().decode(ShipCheckpoint.self, from: data) } catch {
            throw CheckpointError(path: path)
        }
    }

    public func save(_ checkpoint: ShipCheckpoint, sink: String) throws {
        let path = path(sink: sink)
        let temporary = path + ".tmp"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = Array(try encoder.encode(checkpoint)) + [0x0A]
        let fd = try Posix.call("open \(temporary)") { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640) }
        do {
            try Posix.writeAll(fd, bytes)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        try Posix.call("rename \(temporary)") { rename(temporary, path) }
    }
}

/// A checkpoint file that is not one.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public var description: String {
        "\(path) is not a checkpoint file; move it away to re-send the whole spool to this sink (receivers de-duplicate on event_id)"
    }
}

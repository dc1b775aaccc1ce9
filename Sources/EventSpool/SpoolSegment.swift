/// One segment file of the spool, named `seg-<start µs, 16 digits>-<producer>-<pid>-<seq, 6
/// digits>.jsonl` (docs/events.md). Segments sort by name, which is time order.
public struct SpoolSegment: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file name inside the spool directory.
    public let name: String
    /// When its writer started it, in microseconds since the epoch.
    public let startMicroseconds: Int64
    /// `milter` or `tracker` (any lower-case word a writer gave).
    public let producer: String
    public let pid: Int32
    public let sequence: Int

    /// The longest producer word a name may carry.
    static let maxProducerLength = 32

    /// The segment a name denotes, or nil when it is not a segment file's name.
    public init?(name: String) {
        let bytes = Array(name.utf8)
        guard (10...96).contains(bytes.count), name.hasPrefix("seg-"), name.hasSuffix(".jsonl") else { return nil }
        let parts = bytes[4..<(bytes.count - 6)].split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].count == 16, parts[3].count == 6,
              (1...Self.maxProducerLength).contains(parts[1].count),
              parts[1].allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }),
              (1...10).contains(parts[2].count),
              let start = Self.decimal(parts[0]), let pid = Self.decimal(parts[2]), pid <= Int64(Int32.max),
              let sequence = Self.decimal(parts[3])
        else { return nil }
        self.name = name
        self.startMicroseconds = start
        self.producer = String(decoding: parts[1], as: UTF8.self)
        self.pid = Int32(pid)
        self.sequence = Int(sequence)
    }

    /// The name of a new segment. `sequence` counts modulo 10⁶; `start` is clamped to 16 digits.
    static func name(startMicroseconds start: Int64, producer: String, pid: Int32, sequence: Int) -> String {
        "seg-" + padded(min(max(start, 0), 9_999_999_999_999_999), 16) + "-\(producer)-\(max(pid, 0))-"
            + padded(Int64(((sequence % 1_000_000) + 1_000_000) % 1_000_000), 6) + ".jsonl"
    }

    public static func < (a: SpoolSegment, b: SpoolSegment) -> Bool { a.name < b.name }

    public var description: String { name }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Digits only, at most 18 of them (no overflow).
    private static func decimal(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value
    }
}

/// Which service writes a segment, the `<producer>` of its name.
public enum SpoolProducer: String, Sendable, CaseIterable {
    case milter, tracker
}

/// What a full spool gives up (`events.spool.when_full`).
public enum SpoolFullPolicy: String, Sendable, CaseIterable {
    /// Delete the oldest closed segments, shipped or not, to make room for new events.
    case dropOldest = "drop_oldest"
    /// Keep what is spooled and drop new events until the shipper makes room.
    case stopRecording = "stop_recording"
}

import EventSpool
import Foundation
import Logging
import Posix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A fresh spool directory under the system's temporary directory, removed by `remove()`.
struct TemporarySpool {
    let path: String

    init(path: String = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path) {
        self.path = path
    }

    var directory: SpoolDirectory { SpoolDirectory(path: path) }

    func writer(
        maxBytes: Int = 1 << 20, segmentBytes: Int = 1 << 16, whenFull: SpoolFullPolicy = .dropOldest,
        producer: SpoolProducer = .milter, logger: Logger? = nil
    ) throws -> SpoolWriter {
        try SpoolWriter(directory: path, producer: producer,
                        limits: .init(maxBytes: maxBytes, segmentBytes: segmentBytes, whenFull: whenFull), logger: logger)
    }

    /// Every whole line of every segment, oldest segment first.
    func allLines() throws -> [String] {
        try directory.segments().flatMap { segment in
            try directory.readLines(segment, from: 0, maxBytes: 1 << 24).lines.map { String(decoding: $0, as: UTF8.self) }
        }
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// An event line of exactly `bytes` bytes with its newline, numbered.
func eventLine(_ n: Int, bytes: Int = 100) -> [UInt8] {
    var text = #"{"n":\#(n),"pad":""#
    text += String(repeating: "x", count: max(0, bytes - text.utf8.count - 3)) + "\"}\n"
    return Array(text.utf8)
}

func number(of line: String) -> Int? {
    guard let data = line.data(using: .utf8),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
    return object["n"] as? Int
}

/// Log records, kept so a test can count them.
final class LogRecords: Sendable {
    let records = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])

    var logger: Logger { Logger(label: "spool-test") { _ in Handler(records: self) } }

    func messages(containing text: String) -> [(level: Logger.Level, message: String, metadata: Logger.Metadata)] {
        records.withLock { $0.filter { $0.message.contains(text) } }
    }

    struct Handler: LogHandler {
        let records: LogRecords
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            records.records.withLock { $0.append((event.level, event.message.description, event.metadata ?? [:])) }
        }
    }
}

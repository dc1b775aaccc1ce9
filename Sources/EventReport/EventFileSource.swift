import EventShipping
import Foundation

/// Reads events from files where there is no database: the spool's segments and the
/// tracker's events file, whole lines only (docs/events.md, "Spool format").
///
/// TEMPORARY: a plain reader of the documented spool format, until the EventSpool module's
/// reader (segment listing, whole lines from an offset) is merged; then this uses it.
enum EventFileSource {
    /// The spool's segment files, oldest first.
    static func segments(in directory: String) throws(ReportError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ReportError.cannotRead(directory, reason: error.localizedDescription)
        }
        return names.filter { $0.hasPrefix("seg-") && $0.hasSuffix(".jsonl") }.sorted().map { directory + "/" + $0 }
    }

    /// Calls `line` with every whole line of `path` (without its newline). Bytes after the
    /// last newline are a write in progress or cut by a crash, and are left out. A line
    /// longer than `EventRecord.maxBytes` is passed on cut to that length plus one byte, for
    /// the parser to refuse, so that memory stays bounded.
    static func forEachLine(in path: String, _ line: ([UInt8]) -> Void) throws(ReportError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReportError.cannotRead(path, reason: "cannot open it (missing, or not readable by this user)")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var overlong = false
        while true {
            let chunk: Data
            do {
                guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { break }
                chunk = data
            } catch {
                throw ReportError.cannotRead(path, reason: error.localizedDescription)
            }
            var start = chunk.startIndex
            while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if !overlong { pending.append(contentsOf: chunk[start..<newline].prefix(EventRecord.maxBytes + 1 - pending.count)) }
                line(pending)
                pending.removeAll(keepingCapacity: true)
                overlong = false
                start = chunk.index(after: newline)
            }
            if !overlong {
                pending.append(contentsOf: chunk[start...].prefix(EventRecord.maxBytes + 1 - pending.count))
                overlong = pending.count > EventRecord.maxBytes
            }
        }
    }
}

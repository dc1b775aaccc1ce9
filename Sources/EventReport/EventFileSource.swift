import EventShipping
import EventSpool

/// Reads events from files where there is no database: the spool's segments (through
/// EventSpool's reader) and the tracker's events file, whole lines only.
enum EventFileSource {
    /// The spool's segment files, oldest first.
    static func segments(in directory: String) throws(ReportError) -> [String] {
        let spool = SpoolDirectory(path: directory)
        do {
            return try spool.segments().map(spool.path(of:))
        } catch {
            throw ReportError.cannotRead(directory, reason: error.description)
        }
    }

    /// Calls `line` with every whole line of `path` (without its newline), and `oversized`
    /// for each stretch of a line longer than the spool's line bound that was passed over.
    /// Bytes after the last newline (a write in progress, or cut by a crash) are left out.
    static func forEachLine(in path: String, _ line: ([UInt8]) -> Void, oversized: () -> Void) throws(ReportError) {
        var offset = 0
        while true {
            let chunk: SpoolLines
            do {
                chunk = try SpoolLines.read(file: path, from: offset, maxBytes: 1 << 20)
            } catch {
                throw ReportError.cannotRead(path, reason: error.description)
            }
            chunk.lines.forEach(line)
            if chunk.skippedBytes > 0 { oversized() }
            guard chunk.endOffset > offset else { return }
            offset = chunk.endOffset
        }
    }
}

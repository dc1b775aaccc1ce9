import Posix
import Tracking
import TrackingRuntime
#if canImport(Glibc)
import Glibc
#endif

/// The file a batch goes to when it could not be delivered within `max_retry_seconds`: JSON
/// lines, one per event, `{"dead_lettered_at":…,"sink":…,"batch_id":…,"error":…,"event":{…}}`.
/// `jq -c .event` turns it back into spool lines for a replay (docs/events.md).
public struct DeadLetterFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Appends the batch's events in one write (created with mode 0640).
    public func append(_ batch: EventBatch, sink: String, error: String) throws {
        var out: [UInt8] = []
        let now = Timestamp.now()
        for event in batch.events {
            out += Array(#"{"dead_lettered_at":"#.utf8)
            JSONText.appendString(now, to: &out)
            out += Array(#","sink":"#.utf8)
            JSONText.appendString(sink, to: &out)
            out += Array(#","batch_id":"#.utf8)
            JSONText.appendString(batch.id, to: &out)
            out += Array(#","error":"#.utf8)
            JSONText.appendString(error, to: &out)
            out += Array(#","event":"#.utf8)
            out += event.json
            out += Array("}\n".utf8)
        }
        let fd = try Posix.open(path, O_WRONLY | O_APPEND | O_CREAT)
        defer { Posix.close(fd) }
        do {
            try Posix.writeAll(fd, out)
        } catch {
            // Half a line would break the file for jq: cut back to where this append began.
            if error.written > 0, let size = try? Posix.fileSize(fd) {
                try? Posix.truncate(fd, to: size - error.written)
            }
            throw error
        }
    }
}

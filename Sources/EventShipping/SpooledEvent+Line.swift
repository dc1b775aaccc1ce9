import Foundation

extension SpooledEvent {
    /// The event on one spool line (without its newline), or nil when the line is not an
    /// event object with a string `event_id` and `type`: spool files are input, and a bad
    /// line is skipped (counted and logged by the shipper), never a reason to stop.
    public init?(line: [UInt8]) {
        guard let head = try? JSONDecoder().decode(EventHead.self, from: Data(line)),
              !head.event_id.isEmpty, head.event_id.utf8.count <= 128, !head.type.isEmpty, head.type.utf8.count <= 64
        else { return nil }
        self.init(json: line, eventID: head.event_id, type: head.type)
        self.timestamp = head.timestamp
    }
}

/// The fields the shipper routes and measures on; the rest stays as bytes.
private struct EventHead: Decodable {
    let event_id: String
    let type: String
    let timestamp: String?
}

extension SpooledEvent {
    /// The event on one spool line (without its newline), or nil when the line is not an
    /// event object with a string `event_id` and `type`: spool files are input, and a bad
    /// line is skipped (counted and logged by the shipper), never a reason to stop.
    public init?(line: [UInt8]) {
        guard line.count <= EventRecord.maxBytes, String(validating: line, as: UTF8.self) != nil else { return nil }
        var scanner = EventJSONScanner(bytes: line)
        guard let head = try? scanner.scanEvent(),
              let eventID = head.eventID, !eventID.isEmpty, eventID.utf8.count <= EventRecord.maxEventIDBytes,
              let type = head.type, !type.isEmpty, type.utf8.count <= 64
        else { return nil }
        self.init(json: line, eventID: eventID, type: type)
        self.timestamp = head.timestamp
    }
}

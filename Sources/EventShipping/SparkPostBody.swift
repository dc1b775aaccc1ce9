/// SparkPost's webhook event categories: each event is wrapped as
/// `{"msys":{"<category>":{...event...}}}`.
public enum SparkPostCategory: String, Sendable, CaseIterable {
    case messageEvent = "message_event"
    case trackEvent = "track_event"
    case unsubscribeEvent = "unsubscribe_event"

    /// The category SparkPost files `type` under. A type this version does not know is sent as
    /// a `message_event` rather than dropped.
    public init(eventType type: String) {
        switch type {
        case "click", "open", "initial_open": self = .trackEvent
        case "list_unsubscribe", "link_unsubscribe": self = .unsubscribeEvent
        default: self = .messageEvent
        }
    }
}

/// The webhook request body: a JSON array of wrapped events, in batch order.
public enum SparkPostBody {
    /// Built by concatenation: each event's JSON is already a whole object from the spool.
    public static func make(_ events: [SpooledEvent]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(events.reduce(2) { $0 + $1.json.count + 40 })
        out.append(UInt8(ascii: "["))
        for (i, event) in events.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(#"{"msys":{""#.utf8)
            out += Array(SparkPostCategory(eventType: event.type).rawValue.utf8)
            out += Array(#"":"#.utf8)
            out += event.json
            out += Array("}}".utf8)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}

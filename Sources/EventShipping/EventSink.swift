/// A destination the shipper delivers spooled events to: a webhook endpoint, PostgreSQL.
///
/// The shipper hands each sink batches in spool order and moves its checkpoint past a batch
/// only when `deliver` returns. A batch that throws is offered again, the same events with
/// the same id, after a backoff; so a sink must be idempotent on `event_id`.
public protocol EventSink: Sendable {
    /// Names the sink in its checkpoint file, metrics and log lines (`webhook-NAME`, `postgres`).
    var name: String { get }
    /// Delivers the whole batch or throws; never half of it silently.
    func deliver(_ batch: EventBatch) async throws
}

/// Consecutive events from the spool, delivered together.
public struct EventBatch: Sendable {
    /// Stable across retries of the same events (the webhook's `X-MessageSystems-Batch-ID`).
    public var id: String
    public var events: [SpooledEvent]

    public init(id: String, events: [SpooledEvent]) {
        self.id = id
        self.events = events
    }
}

/// One event as the spool holds it: its JSON object text and the fields sinks route on.
public struct SpooledEvent: Sendable {
    /// The JSON object, without the newline (docs/events.md, "Event schema").
    public var json: [UInt8]
    public var eventID: String
    public var type: String
    /// Its `timestamp` field when the line had one; the shipper's oldest-unshipped-age gauge.
    public var timestamp: String?

    public init(json: [UInt8], eventID: String, type: String) {
        self.json = json
        self.eventID = eventID
        self.type = type
    }
}

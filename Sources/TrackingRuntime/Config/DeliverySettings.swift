/// How the shipper delivers to one sink: batch limits, the retry schedule and where a batch
/// goes when it cannot be delivered in time (docs/events.md, "Retries and dead letters").
public struct DeliverySettings: Sendable, Equatable {
    /// A batch holds at most this many events (`batch_max_events`).
    public var batchMaxEvents = 1000
    /// ... and at most this many bytes of event JSON (`batch_max_bytes`); one larger event
    /// goes alone.
    public var batchMaxBytes = 1 << 20
    /// A batch that is not full is sent once its first event has waited this long
    /// (`batch_max_seconds`).
    public var batchMaxSeconds = 2
    /// The first retry waits about this long; each next one twice as long (`backoff_initial_seconds`).
    public var backoffInitialSeconds = 1
    /// No wait between retries is longer than this (`backoff_max_seconds`).
    public var backoffMaxSeconds = 600
    /// A batch still failing this long after its first attempt goes to the dead-letter file
    /// and the shipper moves on (`max_retry_seconds`; 8 hours).
    public var maxRetrySeconds = 8 * 3600
    /// The dead-letter file (`dead_letter`); nil: `dead-letter-SINK.jsonl` in the spool directory.
    public var deadLetter: String?

    public init() {}
}

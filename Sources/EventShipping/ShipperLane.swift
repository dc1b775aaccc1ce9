import TrackingRuntime

/// One sink and how to deliver to it: the shipper runs one independent loop per lane, so
/// a slow or failing sink holds up only itself.
public struct ShipperLane: Sendable {
    public let sink: any EventSink
    public let delivery: DeliverySettings
    /// Where batches that ran out of retries go.
    public let deadLetter: DeadLetterFile

    /// `deadLetter` nil: `dead-letter-SINK.jsonl` in `spoolDirectory`.
    public init(sink: any EventSink, delivery: DeliverySettings, spoolDirectory: String) {
        self.sink = sink
        self.delivery = delivery
        self.deadLetter = DeadLetterFile(path: delivery.deadLetter ?? "\(spoolDirectory)/dead-letter-\(sink.name).jsonl")
    }

    var backoff: Backoff {
        Backoff(initial: .seconds(delivery.backoffInitialSeconds), maximum: .seconds(delivery.backoffMaxSeconds))
    }
}

import Metrics

/// The shipper's metrics for one sink, labelled `sink` (docs/events.md, "Metrics"). They go
/// to whatever swift-metrics backend the process bootstrapped: the tracker's /metrics, or
/// `ship`'s `metrics_listen`.
struct ShipperMetrics: Sendable {
    let batchesSent: Counter
    let batchesFailed: Counter
    let batchesRetried: Counter
    let batchesDeadLettered: Counter
    let eventsDelivered: Counter
    let eventsDeadLettered: Counter
    let linesSkipped: Counter
    let queueBytes: Gauge
    let queueEvents: Gauge
    let oldestSeconds: Gauge

    init(sink: String) {
        let d = [("sink", sink)]
        batchesSent = Counter(label: "ship_batches_sent_total", dimensions: d)
        batchesFailed = Counter(label: "ship_batches_failed_total", dimensions: d)
        batchesRetried = Counter(label: "ship_batches_retried_total", dimensions: d)
        batchesDeadLettered = Counter(label: "ship_batches_dead_lettered_total", dimensions: d)
        eventsDelivered = Counter(label: "ship_events_delivered_total", dimensions: d)
        eventsDeadLettered = Counter(label: "ship_events_dead_lettered_total", dimensions: d)
        linesSkipped = Counter(label: "ship_lines_skipped_total", dimensions: d)
        queueBytes = Gauge(label: "ship_queue_bytes", dimensions: d)
        queueEvents = Gauge(label: "ship_queue_events", dimensions: d)
        oldestSeconds = Gauge(label: "ship_oldest_unshipped_seconds", dimensions: d)
    }
}

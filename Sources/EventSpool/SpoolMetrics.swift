import Prometheus
import Synchronization

/// A spool writer's counts as Prometheus series, under the service's namespace
/// (`tracking_milter_events_spool_…`, `tracker_events_spool_…`). Read from the writer's
/// status when the metrics are scraped, so an append touches no metric.
public final class SpoolMetrics: Sendable {
    private let writer: SpoolWriter
    private let appended: Counter
    private let dropped: [SpoolDropReason: Counter]
    private let droppedSegments: Counter
    private let failures: Counter
    private let bytes: Gauge
    private let pending: Gauge
    /// The status already added to the counters.
    private let reported = Mutex(SpoolStatus())

    public init(writer: SpoolWriter, registry: PrometheusCollectorRegistry, namespace: String) {
        self.writer = writer
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: namespace, subsystem: "events_spool", metricName: metric, unitName: unit, helpText: help)
        }
        appended = registry.makeCounter(descriptor: name("appended", "total", "Events appended to the spool"))
        let droppedName = name("dropped_events", "total",
                               "Events lost by reason: full (new events past max_bytes), oldest (in segments drop_oldest deleted), backlog (the disk failed too long), too_large")
        dropped = Dictionary(uniqueKeysWithValues: SpoolDropReason.allCases.map {
            ($0, registry.makeCounter(descriptor: droppedName, labels: [("reason", $0.rawValue)]))
        })
        droppedSegments = registry.makeCounter(descriptor: name("dropped_segments", "total", "Segments drop_oldest deleted to stay under max_bytes"))
        failures = registry.makeCounter(descriptor: name("write_failures", "total", "Failed spool writes and segment creations (each retried from memory)"))
        bytes = registry.makeGauge(descriptor: name("bytes", "", "The spool's size in bytes, all producers' segments, as this process last counted"))
        pending = registry.makeGauge(descriptor: name("pending_events", "", "Events kept in memory because the disk refused them"))
    }

    /// Reads the writer's status into the series (call before each exposition).
    public func update() {
        let status = writer.status
        bytes.set(Int64(status.bytes))
        pending.set(Int64(status.pendingEvents))
        reported.withLock { last in
            appended.increment(by: Int64(max(0, status.appendedEvents - last.appendedEvents)))
            for reason in SpoolDropReason.allCases {
                dropped[reason]?.increment(by: Int64(max(0, status.dropped(reason) - last.dropped(reason))))
            }
            droppedSegments.increment(by: Int64(max(0, status.droppedSegments - last.droppedSegments)))
            failures.increment(by: Int64(max(0, status.failedWrites - last.failedWrites)))
            last = status
        }
    }
}

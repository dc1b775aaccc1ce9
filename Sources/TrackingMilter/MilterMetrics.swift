import EventSpool
import Prometheus
import TrackingRuntime

/// The milter's Prometheus metrics (`milter.metrics_listen`): messages by outcome, links
/// tracked, rewrite time, errors by kind, sessions in flight, poison bypasses, reloads.
/// Every series is made up front, so a message only touches atomics.
public final class MilterMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let messages: [MessageOutcome.Kind: Counter]
    private let linksTracked: Counter
    private let rewriteSeconds: DurationHistogram
    private let errors: [ErrorKind: Counter]
    private let sessions: Gauge
    private let reloads: [Bool: Counter]
    private let spool: SpoolMetrics?

    /// What went wrong, as the `kind` label of `tracking_milter_errors_total`.
    public enum ErrorKind: String, Sendable, CaseIterable {
        /// A session step threw; the MTA got the `on_error` reply.
        case step
        /// The MTA refused a modification at end of message; the message went unchanged.
        case modification
    }

    /// - Parameter spool: the spool writer whose counts are served too (`tracking_milter_events_spool_…`).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), spool: SpoolWriter? = nil) {
        self.registry = registry
        self.spool = spool.map { SpoolMetrics(writer: $0, registry: registry, namespace: "tracking_milter") }
        messages = Self.counters(
            registry, "messages", "Messages by outcome (poison-bypassed: passed unchanged after crashing the milter)",
            label: "outcome", MessageOutcome.Kind.allCases) { $0.rawValue }
        linksTracked = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "tracking_milter", metricName: "links_tracked", unitName: "total", helpText: "Links replaced by tracked URLs"))
        rewriteSeconds = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "tracking_milter", metricName: "message_processing", unitName: "seconds",
                                             helpText: "Time from a message's first header to the decision at its end"),
            buckets: [.microseconds(250), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                      .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5)])
        errors = Self.counters(
            registry, "errors", "Internal errors by kind; the message was delivered per on_error",
            label: "kind", ErrorKind.allCases) { $0.rawValue }
        sessions = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "tracking_milter", metricName: "sessions", unitName: "", helpText: "MTA connections in flight"))
        reloads = Self.counters(
            registry, "reloads", "Reloads on SIGUSR1 by result (refused: the old settings stayed)",
            label: "result", [true, false]) { $0 ? "applied" : "refused" }
    }

    /// One `tracking_milter_NAME_total` counter per key, labelled.
    private static func counters<Key: Hashable>(
        _ registry: PrometheusCollectorRegistry, _ name: String, _ help: String, label: String, _ keys: [Key],
        _ value: (Key) -> String
    ) -> [Key: Counter] {
        let descriptor = MetricNameDescriptor(namespace: "tracking_milter", metricName: name, unitName: "total", helpText: help)
        return Dictionary(uniqueKeysWithValues: keys.map { key in
            (key, registry.makeCounter(descriptor: descriptor, labels: [(label, value(key))]))
        })
    }

    func message(_ outcome: MessageOutcome) {
        messages[outcome.kind]?.increment()
        if outcome.linksTracked > 0 { linksTracked.increment(by: Int64(outcome.linksTracked)) }
        rewriteSeconds.record(.nanoseconds(Int64(outcome.milliseconds * 1e6)))
    }

    func modificationFailed() {
        messages[.errorPassed]?.increment()
        errors[.modification]?.increment()
    }

    func stepFailed() { errors[.step]?.increment() }

    func reload(applied: Bool) { reloads[applied]?.increment() }

    func sessionsInFlight(_ count: Int) { sessions.set(Int64(count)) }

    /// Reads the spool writer's counts into their series.
    func updateSpool() { spool?.update() }
}

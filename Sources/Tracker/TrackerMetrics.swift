import EventSpool
import Prometheus
import Synchronization

/// What a request was for, as the `route` label.
public enum TrackerRoute: Int, CaseIterable, Sendable {
    case click, open, healthz, metrics, other

    var label: String {
        switch self {
        case .click: "click"
        case .open: "open"
        case .healthz: "healthz"
        case .metrics: "metrics"
        case .other: "other"
        }
    }

    /// The outcomes this route can have.
    var outcomes: [TrackerOutcome] {
        switch self {
        case .click: [.redirected, .expired, .invalid, .refused, .rateLimited, .methodNotAllowed]
        case .open: [.recorded, .expired, .invalid, .notAnOpen, .rateLimited, .notFound, .methodNotAllowed]
        case .healthz, .metrics: [.ok, .methodNotAllowed]
        case .other: [.notFound]
        }
    }
}

/// How a request ended, as the `outcome` label.
public enum TrackerOutcome: Int, CaseIterable, Sendable {
    /// A click redirected and recorded.
    case redirected
    /// An open recorded.
    case recorded
    /// Expired token: a click still redirects, an open still gets the GIF; nothing recorded.
    case expired
    /// The token did not open (tampered, truncated, unknown key, wrong kind on `/f/`): 404, or the GIF on `/q/`.
    case invalid
    /// An authentic click whose target may not be redirected to (not http/https, too long).
    case refused
    /// Over `click_rate_limit`: 403; over `open_rate_limit`: the pixel, no event.
    case rateLimited
    /// A click token on `/q/`: the GIF, nothing recorded.
    case notAnOpen
    case ok
    case notFound
    case methodNotAllowed

    var label: String {
        switch self {
        case .redirected: "redirected"
        case .recorded: "recorded"
        case .expired: "expired"
        case .invalid: "invalid"
        case .refused: "refused"
        case .rateLimited: "rate_limited"
        case .notAnOpen: "not_an_open"
        case .ok: "ok"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        }
    }
}

/// The tracker's Prometheus metrics, all made up front so a request only touches atomics.
final class TrackerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let requests: [Counter?]
    private let durations: [DurationHistogram]
    private let events: [String: Counter]
    private let machineEvents = Mutex<[String: Counter]>([:])
    private let rateLimitClients: Gauge
    private let eventsPending: Gauge
    private let eventWriteFailures: Counter
    private let eventsDropped: Counter
    /// The writer's counts already added to the counters above.
    private let reportedEvents = Mutex(EventWriterStatus())
    private let spool: SpoolMetrics?

    static let eventTypes = ["click", "link_unsubscribe", "open", "initial_open"]
    /// Latency buckets: the tracker answers in well under a millisecond; the top end shows trouble.
    static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .seconds(1),
    ]

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), spool: SpoolWriter? = nil) {
        self.registry = registry
        self.spool = spool.map { SpoolMetrics(writer: $0, registry: registry, namespace: "tracker") }
        let requestsName = MetricNameDescriptor(
            namespace: "tracker", metricName: "requests", unitName: "total",
            helpText: "HTTP requests by route and outcome")
        var requests = [Counter?](repeating: nil, count: TrackerRoute.allCases.count * TrackerOutcome.allCases.count)
        for route in TrackerRoute.allCases {
            for outcome in route.outcomes {
                requests[Self.index(route, outcome)] = registry.makeCounter(
                    descriptor: requestsName, labels: [("route", route.label), ("outcome", outcome.label)])
            }
        }
        self.requests = requests
        let durationName = MetricNameDescriptor(
            namespace: "tracker", metricName: "request_duration", unitName: "seconds",
            helpText: "Time from request to response, by route")
        durations = TrackerRoute.allCases.map {
            registry.makeDurationHistogram(descriptor: durationName, labels: [("route", $0.label)], buckets: Self.buckets)
        }
        let eventsName = MetricNameDescriptor(
            namespace: "tracker", metricName: "events", unitName: "total", helpText: "Events written, by type")
        events = Dictionary(uniqueKeysWithValues: Self.eventTypes.map {
            ($0, registry.makeCounter(descriptor: eventsName, labels: [("type", $0)]))
        })
        rateLimitClients = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "tracker", metricName: "rate_limit_clients", unitName: "",
            helpText: "Client addresses the click rate limiter remembers"))
        eventsPending = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "tracker", metricName: "events_pending", unitName: "",
            helpText: "Event lines kept in memory because the events file did not take them"))
        eventWriteFailures = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "tracker", metricName: "event_write_failures", unitName: "total",
            helpText: "Failed writes of event lines (each is retried from memory)"))
        eventsDropped = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "tracker", metricName: "events_dropped", unitName: "total",
            helpText: "Event lines lost because the in-memory backlog was full"))
    }

    func request(_ route: TrackerRoute, _ outcome: TrackerOutcome) {
        requests[Self.index(route, outcome)]?.increment()
    }

    func duration(_ route: TrackerRoute, _ duration: Duration) {
        durations[route.rawValue].record(duration)
    }

    func event(type: String, machine: String?) {
        events[type]?.increment()
        guard let machine else { return }
        let counter = machineEvents.withLock { counters in
            if let counter = counters[machine] { return counter }
            let counter = registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "tracker", metricName: "machine_events", unitName: "total",
                    helpText: "Events marked as made by a known machine, by machine"),
                labels: [("machine", machine)])
            counters[machine] = counter
            return counter
        }
        counter.increment()
    }

    /// Reads the rate limiters' sizes and the event writer's counts into their series.
    func update(rateLimitClients clients: Int, events: EventWriterStatus) {
        rateLimitClients.set(Int64(clients))
        eventsPending.set(Int64(events.pendingLines))
        reportedEvents.withLock { reported in
            eventWriteFailures.increment(by: Int64(max(0, events.failedWrites - reported.failedWrites)))
            eventsDropped.increment(by: Int64(max(0, events.droppedLines - reported.droppedLines)))
            reported = events
        }
        spool?.update()
    }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        return buffer
    }

    private static func index(_ route: TrackerRoute, _ outcome: TrackerOutcome) -> Int {
        route.rawValue * TrackerOutcome.allCases.count + outcome.rawValue
    }
}

/// The `events:` section: where events are spooled and which sinks the shipper delivers
/// them to (docs/events.md).
public struct EventsSettings: Sendable {
    /// The local spool every producer appends to; nil switches spooling off.
    public var spool: SpoolSettings?
    /// SparkPost-compatible webhook endpoints, each shipped in order on its own.
    public var webhooks: [WebhookSettings] = []
    /// The PostgreSQL sink; nil when there is none.
    public var postgres: PostgresSettings?
    /// Where `tracking-milter ship` serves /metrics and /healthz; nil: nowhere (the tracker's
    /// in-process shipper reports on the tracker's own /metrics).
    public var metricsListen: ListenAddress?

    public init() {}

    /// Whether anything ships the spool.
    public var hasSinks: Bool { !webhooks.isEmpty || postgres != nil }
}

import Tracking

/// The resolved settings of a configuration as an operator reads them (`check-config`).
public struct ConfigSummary {
    public let text: String

    public init(_ c: Configuration) {
        var lines = ["# \(c.file): OK", "milter.socket: \(c.milter.socket.value)",
                     "milter.socket_mode: \(String(c.milter.socketMode, radix: 8))",
                     "milter.timeout: \(c.milter.timeout)", "milter.on_error: \(c.milter.onError.rawValue)",
                     "milter.header_errors: \(c.milter.headerErrors.rawValue)",
                     "milter.strip_api_header: \(c.milter.stripAPIHeader)",
                     "milter.recipient_mode: \(c.milter.recipientMode.rawValue)",
                     "milter.rewrite_signed: \(c.milter.rewriteSigned)",
                     "milter.poison_journal: \(c.milter.poisonJournal ?? "off")",
                     "milter.metrics_listen: \(c.milter.metricsListen.map { "\($0)" } ?? "off")",
                     "log.format: \(c.log.format.rawValue)", "log.level: \(c.log.level.rawValue)", "log.syslog: \(c.log.syslog)"]
        func describe(_ name: String, _ t: TrackingOptions) {
            lines.append("\(name):")
            lines.append("  open_tracking_enabled: \(t.openTrackingEnabled)")
            lines.append("  click_tracking_enabled: \(t.clickTrackingEnabled)")
            lines.append("  open_tracking_scheme: \(t.openTrackingScheme.rawValue)")
            lines.append("  click_tracking_scheme: \(t.clickTrackingScheme.rawValue)")
            lines.append("  tracking_domain: \(t.trackingDomain)")
            lines.append("  tracking_link_expiry: \(t.trackingLinkExpiry)")
            lines.append("  click_tracking_include_metadata: \(t.clickTrackingIncludeMetadata)")
            lines.append("  max_metadata_len: \(t.maxMetadataLength)")
            lines.append("  open_pixel_placement: \(t.openPixelPlacement.rawValue)")
            lines.append("  list_unsubscribe: \(t.listUnsubscribe.rawValue)")
        }
        lines.append("limits: max_message_bytes=\(c.limits.maxMessageBytes) max_depth=\(c.limits.maxDepth) max_parts=\(c.limits.maxParts) max_links=\(c.limits.maxLinks)"
                     + " max_token_bytes=\(c.limits.maxTokenBytes) max_growth=\(c.limits.maxGrowth) growth_allowance=\(c.limits.growthAllowance)"
                     + " spill_threshold_bytes=\(c.spill.thresholdBytes) spill_directory=\(c.spill.directory.value)")
        lines.append("policy: \(c.policy.rules.count) rules; policy_script: \(c.policyScriptFile ?? "none")")
        describe("tracking (every listener)", c.tracking)
        for (name, options) in c.listeners.sorted(by: { $0.key < $1.key }) { describe("listener \(name)", options) }
        text = lines.joined(separator: "\n") + "\n"
    }
}

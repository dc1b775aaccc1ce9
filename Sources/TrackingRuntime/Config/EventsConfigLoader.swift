import EventSpool

/// Reads the `events:` section. Each sink's keys are read by its own loader.
enum EventsConfigLoader {
    static let keys: Set = ["spool", "webhooks", "postgres", "metrics_listen"]
    static let spoolKeys: Set = ["dir", "max_bytes", "segment_bytes", "when_full"]

    static func read(_ node: ConfigNode) throws(ConfigError) -> EventsSettings {
        var events = EventsSettings()
        for (name, value) in try node.mapping(allowed: keys) {
            switch name {
            case "spool": events.spool = try readSpool(value)
            case "webhooks": events.webhooks = try WebhookConfigLoader.read(value)
            case "postgres": events.postgres = try PostgresConfigLoader.read(value)
            case "metrics_listen": events.metricsListen = try value.parsed { try ListenAddress(parsing: $0) }
            default: break
            }
        }
        return events
    }

    private static func readSpool(_ node: ConfigNode) throws(ConfigError) -> SpoolSettings {
        let entries = try node.mapping(allowed: spoolKeys)
        guard let dir = entries.first(where: { $0.name == "dir" })?.value else {
            throw node.error("the spool needs dir: a directory the milter and the tracker may write, such as /var/lib/tracking-milter/events")
        }
        var spool = SpoolSettings(directory: ConfigLoader.resolve(try dir.nonEmptyString(), relativeTo: node.file))
        for (name, value) in entries {
            switch name {
            case "max_bytes": spool.maxBytes = try value.integer(in: (1 << 20)...(1 << 50))
            case "segment_bytes": spool.segmentBytes = try value.integer(in: (64 << 10)...(1 << 30))
            case "when_full": spool.whenFull = try value.choice(SpoolFullPolicy.self)
            default: break
            }
        }
        guard spool.segmentBytes <= spool.maxBytes / 2 else {
            throw node.error("segment_bytes (\(spool.segmentBytes)) must be at most half of max_bytes (\(spool.maxBytes)) so that a full spool can drop a closed segment")
        }
        return spool
    }
}

/// Reads `events.postgres`.
enum PostgresConfigLoader {
    static let keys: Set<String> = Set(["url", "password", "password_file", "connect_timeout", "batch_timeout"])
        .union(DeliveryConfigLoader.keys)

    static func read(_ node: ConfigNode) throws(ConfigError) -> PostgresSettings {
        let entries = try node.mapping(allowed: keys)
        guard let url = entries.first(where: { $0.name == "url" })?.value else {
            throw node.error("postgres needs url: such as postgres://tracking@127.0.0.1:5432/tracking")
        }
        let text = try url.nonEmptyString()
        _ = try url.parsed { try PostgresURL(parsing: $0) }
        var settings = PostgresSettings(url: text)
        settings.password = try SecretConfig.read(entries, key: "password", in: node)
        for (name, value) in entries {
            switch name {
            case "connect_timeout": settings.connectTimeout = try value.integer(in: 1...600)
            case "batch_timeout": settings.batchTimeout = try value.integer(in: 1...3600)
            default: break
            }
        }
        settings.delivery = try DeliveryConfigLoader.read(entries, in: node)
        return settings
    }
}

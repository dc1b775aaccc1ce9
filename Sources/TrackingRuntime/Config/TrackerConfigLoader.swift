import Tracking

/// Reads the `tracker:` section, in the same style as the rest of `ConfigLoader`.
enum TrackerConfigLoader {
    static let keys: Set = [
        "listen", "trusted_proxies", "events_file", "machines_file", "click_rate_limit", "rate_limit_clients",
        "open_rate_limit", "idle_timeout", "metrics_listen",
    ]

    /// Ten clicks a second from one address is already far beyond a person.
    static let maxClickRateLimit = 100_000
    static let maxRateLimitClients = 10_000_000

    static func read(_ node: ConfigNode) throws(ConfigError) -> TrackerSettings {
        var t = TrackerSettings()
        for (name, value) in try node.mapping(allowed: keys) {
            switch name {
            case "listen": t.listen = try value.parsed { try ListenAddress(parsing: $0) }
            case "trusted_proxies": t.trustedProxies = try networks(value)
            case "events_file":
                let path = try value.nonEmptyString()
                t.eventsFile = path == TrackerSettings.standardOutput
                    ? path : ConfigLoader.resolve(path, relativeTo: node.file)
            case "machines_file":
                t.machinesFile = ConfigLoader.resolve(try value.nonEmptyString(), relativeTo: node.file)
            case "click_rate_limit": t.clickRateLimit = try value.integer(in: 0...maxClickRateLimit)
            case "rate_limit_clients": t.rateLimitClients = try value.integer(in: 16...maxRateLimitClients)
            case "open_rate_limit": t.openRateLimit = try value.integer(in: 0...maxClickRateLimit)
            case "idle_timeout": t.idleTimeout = try value.integer(in: 1...3600)
            case "metrics_listen": t.metricsListen = try value.parsed { try ListenAddress(parsing: $0) }
            default: break
            }
        }
        return t
    }

    /// A list of addresses or CIDR networks (an empty list is allowed: trust nobody).
    private static func networks(_ node: ConfigNode) throws(ConfigError) -> [IPNetwork] {
        var out: [IPNetwork] = []
        for item in try node.sequence() {
            let text = try item.nonEmptyString()
            guard let network = IPNetwork(text) else {
                throw item.error("\"\(text)\" is not an IP address or CIDR network such as 10.0.0.0/8 or ::1")
            }
            out.append(network)
        }
        return out
    }
}

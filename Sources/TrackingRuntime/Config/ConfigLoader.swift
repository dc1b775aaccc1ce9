import Foundation
import Logging
import PolicyScript
import Tracking
import Yams

/// Reads and validates the YAML configuration. Every problem is a `ConfigError` with the
/// file, line and what was expected; nothing is silently defaulted.
public enum ConfigLoader {
    /// - Parameter policyScript: load `policy_script` (what runs or checks the milter), or
    ///   only take its path (the tracker, `decode` and `keygen`, which never run it).
    public static func load(path: String, policyScript: Bool = true) throws(ConfigError) -> Configuration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(file: path, line: 0, column: 0, key: "",
                              message: "cannot read the file (\(error.localizedDescription)); check the path and permissions")
        }
        return try parse(text, file: path, policyScript: policyScript)
    }

    public static func parse(_ text: String, file: String, policyScript: Bool = true) throws(ConfigError) -> Configuration {
        var config = Configuration(file: file)
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw yamlError(error, file: file)
        }
        guard let root else { return config }
        let top = ConfigNode(node: root, file: file, key: "")
        for (name, value) in try top.mapping(allowed: sections) {
            switch name {
            case "milter": try readMilter(value, into: &config.milter)
            case "tracker": config.tracker = try TrackerConfigLoader.read(value)
            case "events": config.events = try EventsConfigLoader.read(value)
            case "log": try readLog(value, into: &config.log)
            case "tracking": try readTracking(value, into: &config.tracking)
            case "policy": config.policy = try PolicyLoader.read(value)
            case "policy_script":
                let path = resolve(try value.nonEmptyString(), relativeTo: file)
                config.policyScriptFile = path
                if policyScript { config.policyScript = try PolicyLoader.loadScript(path, at: value) }
            case "limits": try readLimits(value, into: &config.limits, spill: &config.spill)
            case "keys":
                for (key, entry) in try value.mapping(allowed: keysKeys) where key == "file" {
                    config.keysFile = resolve(try entry.nonEmptyString(), relativeTo: file)
                }
            default: break
            }
        }
        // Listeners override the general section field by field, so read them after it.
        if let listeners = try top.mapping().first(where: { $0.name == "listeners" })?.value {
            for (name, value) in try listeners.mapping() {
                var options = config.tracking
                try readTracking(value, into: &options)
                config.listeners[name] = options
            }
        }
        return config
    }

    private static func readMilter(_ node: ConfigNode, into m: inout MilterSettings) throws(ConfigError) {
        for (name, value) in try node.mapping(allowed: milterKeys) {
            switch name {
            case "socket": m.socket = Located(try value.nonEmptyString(), at: value.location)
            case "socket_mode":
                let text = try value.string()
                guard let mode = UInt32(text, radix: 8), mode <= 0o777 else {
                    throw value.error("expected an octal file mode such as \"0660\" (quote it), got \"\(text)\"")
                }
                m.socketMode = mode
            case "timeout": m.timeout = try value.integer(in: 1...86_400)
            case "on_error": m.onError = try value.choice(OnError.self)
            case "header_errors": m.headerErrors = try value.choice(HeaderErrorPolicy.self)
            case "strip_api_header": m.stripAPIHeader = try value.bool()
            case "recipient_mode": m.recipientMode = try value.choice(RecipientMode.self)
            case "rewrite_signed": m.rewriteSigned = try value.bool()
            case "poison_journal": m.poisonJournal = resolve(try value.nonEmptyString(), relativeTo: node.file)
            case "metrics_listen": m.metricsListen = try value.parsed { try ListenAddress(parsing: $0) }
            default: break
            }
        }
    }

    private static func readLimits(_ node: ConfigNode, into l: inout RewriteLimits, spill: inout BodySpillSettings) throws(ConfigError) {
        for (name, value) in try node.mapping(allowed: limitKeys) {
            switch name {
            case "max_message_bytes": l.maxMessageBytes = try value.integer(in: 1024...1 << 31)
            case "max_depth": l.maxDepth = try value.integer(in: 1...100)
            case "max_parts": l.maxParts = try value.integer(in: 1...100_000)
            case "max_links": l.maxLinks = try value.integer(in: 1...1_000_000)
            case "max_token_bytes": l.maxTokenBytes = try value.integer(in: 64...1_048_576)
            case "max_growth": l.maxGrowth = try value.integer(in: 1...1000)
            case "growth_allowance": l.growthAllowance = try value.integer(in: 0...1 << 30)
            case "spill_threshold_bytes": spill.thresholdBytes = try value.integer(in: 0...1 << 31)
            case "spill_directory":
                spill.directory = Located(resolve(try value.nonEmptyString(), relativeTo: node.file), at: value.location)
            default: break
            }
        }
    }

    private static func readLog(_ node: ConfigNode, into l: inout LogSettings) throws(ConfigError) {
        for (name, value) in try node.mapping(allowed: logKeys) {
            switch name {
            case "format": l.format = try value.choice(LogFormat.self)
            case "level": l.level = try value.choice(Logger.Level.self)
            case "syslog": l.syslog = try value.bool()
            default: break
            }
        }
    }

    static let sections: Set = ["milter", "log", "tracking", "listeners", "policy", "policy_script", "keys", "limits", "tracker", "events"]
    static let milterKeys: Set = [
        "socket", "socket_mode", "timeout", "on_error", "header_errors", "strip_api_header", "recipient_mode",
        "rewrite_signed", "poison_journal", "metrics_listen",
    ]
    static let logKeys: Set = ["format", "level", "syslog"]
    static let keysKeys: Set = ["file"]
    static let limitKeys: Set = [
        "max_message_bytes", "max_depth", "max_parts", "max_links", "max_token_bytes", "max_growth", "growth_allowance",
        "spill_threshold_bytes", "spill_directory",
    ]

    /// Every key the loader accepts, dotted (`milter.socket`, `policy[].set.smtpapi_tags`), for
    /// the documentation check.
    public static var knownKeys: [String] {
        ["policy_script"] + milterKeys.map { "milter.\($0)" } + logKeys.map { "log.\($0)" } + trackingKeys.map { "tracking.\($0)" }
            + keysKeys.map { "keys.\($0)" } + limitKeys.map { "limits.\($0)" } + PolicyLoader.matchKeys.map { "policy[].match.\($0)" }
            + PolicyValues.variables.map { "policy[].set.\($0)" } + TrackerConfigLoader.keys.map { "tracker.\($0)" }
            + EventsConfigLoader.keys.map { "events.\($0)" } + EventsConfigLoader.spoolKeys.map { "events.spool.\($0)" }
            + WebhookConfigLoader.keys.map { "events.webhooks[].\($0)" } + PostgresConfigLoader.keys.map { "events.postgres.\($0)" }
    }

    static let trackingKeys: Set = [
        "open_tracking_enabled", "click_tracking_enabled", "open_tracking_scheme", "click_tracking_scheme",
        "tracking_domain", "tracking_link_expiry", "click_tracking_include_metadata", "max_metadata_len",
        "open_pixel_placement", "list_unsubscribe",
    ]

    private static func readTracking(_ node: ConfigNode, into t: inout TrackingOptions) throws(ConfigError) {
        for (name, value) in try node.mapping(allowed: trackingKeys) {
            switch name {
            case "open_tracking_enabled": t.openTrackingEnabled = try value.bool()
            case "click_tracking_enabled": t.clickTrackingEnabled = try value.bool()
            case "open_tracking_scheme": t.openTrackingScheme = try value.choice(URLScheme.self)
            case "click_tracking_scheme": t.clickTrackingScheme = try value.choice(URLScheme.self)
            case "tracking_domain": t.trackingDomain = try value.parsed(TrackingDomain.validate)
            case "tracking_link_expiry": t.trackingLinkExpiry = try value.integer(in: 1...TrackingDomain.maxExpiry)
            case "click_tracking_include_metadata": t.clickTrackingIncludeMetadata = try value.bool()
            case "max_metadata_len": t.maxMetadataLength = try value.integer(in: 0...TrackingDomain.maxMetadataLength)
            case "open_pixel_placement": t.openPixelPlacement = try value.choice(OpenPixelPlacement.self)
            case "list_unsubscribe": t.listUnsubscribe = try value.choice(ListUnsubscribeMode.self)
            default: break
            }
        }
    }

    /// A relative path in the file is relative to the file's own directory, not to
    /// wherever the milter happens to be started.
    static func resolve(_ path: String, relativeTo configFile: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        guard let slash = configFile.lastIndex(of: "/") else { return path }
        return String(configFile[..<slash]) + "/" + path
    }

    /// A YAML syntax error at its line, as a `ConfigError`.
    static func yamlError(_ error: any Error, file: String) -> ConfigError {
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                 .composer(_, let problem, let mark, _):
                return ConfigError(file: file, line: mark.line, column: mark.column, key: "", message: "YAML syntax: \(problem)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                return ConfigError(file: file, line: context.mark.line, column: context.mark.column,
                                   key: duplicates.joined(separator: ", "), message: "duplicate key in this mapping")
            default: break
            }
        }
        return ConfigError(file: file, line: 0, column: 0, key: "", message: "YAML syntax: \(error)")
    }
}

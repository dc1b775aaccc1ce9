import Foundation
import Tracking
import Yams

/// One rule of the machine classification data (`tracker.machines_file`): a hit whose user
/// agent and client address meet every condition the rule has is named `name` in its event.
public struct MachineRule: Sendable, Equatable {
    /// The value of the event's `machine` field.
    public var name: String
    /// Case-insensitive substrings; the user agent must contain one (when any are given).
    public var userAgentContains: [String] = []
    /// Exact user agents; the user agent must be one of them (when any are given).
    public var userAgentEquals: [String] = []
    /// The client address must lie in one of these (when any are given, here or from files).
    public var networks: [IPNetwork] = []
    /// Event types the rule applies to; empty means every type.
    public var events: [String] = []
    /// `FILE:LINE` of the rule, for messages.
    public var origin: String

    public init(name: String, origin: String) {
        self.name = name
        self.origin = origin
    }

    /// Whether the rule says anything about the user agent.
    public var hasUserAgentCondition: Bool { !userAgentContains.isEmpty || !userAgentEquals.isEmpty }
}

/// Reads machine classification files with the same located errors as the configuration.
public enum MachineRulesLoader {
    static let ruleKeys: Set = ["name", "user_agent_contains", "user_agent_equals", "networks", "network_files", "events"]
    /// The event types a rule may be limited to (`TrackingToken.eventType`).
    public static let eventTypes = ["click", "link_unsubscribe", "open", "initial_open", "list_unsubscribe"]

    public static func load(path: String) throws(ConfigError) -> [MachineRule] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(file: path, line: 0, column: 0, key: "",
                              message: "cannot read the machines file (\(error.localizedDescription)); check tracker.machines_file")
        }
        return try parse(text, file: path)
    }

    /// Parses the text of a machines file; `network_files` are read relative to `file`.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> [MachineRule] {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ConfigLoader.yamlError(error, file: file)
        }
        guard let root else { return [] }
        var rules: [MachineRule] = []
        for (name, value) in try ConfigNode(node: root, file: file, key: "").mapping(allowed: ["machines"]) where name == "machines" {
            for ruleNode in try value.sequence() { rules.append(try readRule(ruleNode)) }
        }
        return rules
    }

    private static func readRule(_ node: ConfigNode) throws(ConfigError) -> MachineRule {
        var rule = MachineRule(name: "", origin: "\(node.file):\(node.node.mark?.line ?? 0)")
        var hasNetworks = false
        for (name, value) in try node.mapping(allowed: ruleKeys) {
            switch name {
            case "name":
                let text = try value.nonEmptyString()
                guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) else {
                    throw value.error("a machine name is printable ASCII without spaces, quotes or backslashes, such as apple_mpp")
                }
                rule.name = text
            case "user_agent_contains": rule.userAgentContains = try strings(value)
            case "user_agent_equals": rule.userAgentEquals = try strings(value)
            case "networks":
                hasNetworks = true
                for item in try value.sequence() {
                    let text = try item.nonEmptyString()
                    guard let network = IPNetwork(text) else {
                        throw item.error("\"\(text)\" is not an IP address or CIDR network such as 17.0.0.0/8")
                    }
                    rule.networks.append(network)
                }
            case "network_files":
                hasNetworks = true
                for item in try value.sequence() {
                    let path = ConfigLoader.resolve(try item.nonEmptyString(), relativeTo: node.file)
                    rule.networks += try networkFile(path, item)
                }
            case "events":
                for item in try value.sequence() {
                    let text = try item.string()
                    guard eventTypes.contains(text) else {
                        throw item.error("\"\(text)\" is not an event type; expected one of: \(eventTypes.joined(separator: ", "))")
                    }
                    rule.events.append(text)
                }
            default: break
            }
        }
        guard !rule.name.isEmpty else { throw node.error("a rule needs a name:") }
        guard rule.hasUserAgentCondition || hasNetworks else {
            throw node.error("rule \(rule.name) needs user_agent_contains, user_agent_equals, networks or network_files")
        }
        return rule
    }

    private static func strings(_ node: ConfigNode) throws(ConfigError) -> [String] {
        var out: [String] = []
        for item in try node.sequence() { out.append(try item.nonEmptyString()) }
        return out
    }

    /// One network per line, in the first comma-separated field (so Apple's published
    /// `egress-ip-ranges.csv` reads as it is); blank lines and `#` comments are skipped.
    private static func networkFile(_ path: String, _ node: ConfigNode) throws(ConfigError) -> [IPNetwork] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw node.error("cannot read network file \(path) (\(error.localizedDescription))")
        }
        var out: [IPNetwork] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let field = line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = field.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let network = IPNetwork(trimmed) else {
                throw ConfigError(file: path, line: lineNumber, column: 1, key: node.key,
                                  message: "\"\(trimmed)\" is not an IP address or CIDR network")
            }
            out.append(network)
        }
        return out
    }
}

import PolicyScript
import Tracking

/// Reads the `policy:` list: rules of `match:` conditions and `set:` context variables.
enum PolicyLoader {
    static let matchKeys: Set = ["customer", "client", "listener", "sender", "sender_domain", "recipient", "recipient_domain"]

    static func read(_ node: ConfigNode) throws(ConfigError) -> Policy {
        var rules: [PolicyRule] = []
        for ruleNode in try node.sequence() {
            var match = PolicyMatch()
            var values = PolicyValues()
            var sawSet = false
            for (name, value) in try ruleNode.mapping(allowed: ["match", "set"]) {
                switch name {
                case "match": match = try readMatch(value)
                case "set":
                    sawSet = true
                    let entries = try value.mapping(allowed: Set(PolicyValues.variables))
                    guard !entries.isEmpty else { throw value.error("a rule must set at least one variable") }
                    for (variable, text) in entries {
                        let string = try text.string()
                        do { try values.set(variable, to: string) } catch { throw text.error(error.description) }
                    }
                default: break
                }
            }
            guard sawSet else { throw ruleNode.error("a rule needs a set: mapping of context variables") }
            let line = ruleNode.node.mark?.line ?? 0
            rules.append(PolicyRule(match: match, values: values, origin: "\(node.file):\(line)"))
        }
        return Policy(rules: rules)
    }

    /// Loads the `policy_script:` file. A script that does not load is reported at the key,
    /// with the script's own FILE:LINE.
    static func loadScript(_ path: String, at node: ConfigNode) throws(ConfigError) -> PolicyScript {
        do { return try PolicyScript.load(path: path) } catch { throw node.error(error.description) }
    }

    private static func readMatch(_ node: ConfigNode) throws(ConfigError) -> PolicyMatch {
        var m = PolicyMatch()
        for (name, value) in try node.mapping(allowed: matchKeys) {
            let items = try strings(value)
            switch name {
            case "customer": m.customers = items
            case "listener": m.listeners = items
            case "sender": m.senders = try addresses(items, value)
            case "recipient": m.recipients = try addresses(items, value)
            case "sender_domain": m.senderDomains = try domains(items, value)
            case "recipient_domain": m.recipientDomains = try domains(items, value)
            case "client":
                var networks: [IPNetwork] = []
                for item in items {
                    guard let network = IPNetwork(item) else {
                        throw value.error("\"\(item)\" is not an IP address or CIDR network such as 192.0.2.0/24")
                    }
                    networks.append(network)
                }
                m.clients = networks
            default: break
            }
        }
        return m
    }

    /// A single string or a list of strings.
    private static func strings(_ node: ConfigNode) throws(ConfigError) -> [String] {
        let items: [String]
        if case .sequence = node.node {
            var list: [String] = []
            for item in try node.sequence() { list.append(try item.nonEmptyString()) }
            items = list
        } else {
            items = [try node.nonEmptyString()]
        }
        guard !items.isEmpty else { throw node.error("expected a value or a list of values") }
        return items
    }

    private static func addresses(_ items: [String], _ node: ConfigNode) throws(ConfigError) -> [String] {
        for item in items where !item.contains("@") {
            throw node.error("\"\(item)\" is not an address (local@domain); use sender_domain/recipient_domain for a domain")
        }
        return items.map { $0.lowercased() }
    }

    private static func domains(_ items: [String], _ node: ConfigNode) throws(ConfigError) -> [String] {
        for item in items where item.contains("@") || item.contains(" ") {
            throw node.error("\"\(item)\" is not a domain such as example.com")
        }
        return items.map { $0.lowercased() }
    }
}

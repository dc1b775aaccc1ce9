import TrackingMilter

/// Names known automated fetchers (Apple Mail Privacy Protection, image proxies, link
/// scanners) from the rules of the machines file. The first rule that matches wins; a hit
/// that no rule matches is a person (`machine: null`). Hits are never dropped, only marked.
struct MachineClassifier: Sendable {
    private struct CompiledRule: Sendable {
        let name: String
        /// Lowercased ASCII bytes.
        let contains: [[UInt8]]
        let equals: [String]
        let networks: IPRangeSet?
        /// nil: every event type.
        let events: Set<String>?
    }

    private let rules: [CompiledRule]
    /// Distinct machine names, in file order.
    let names: [String]

    init(rules: [MachineRule]) {
        self.rules = rules.map { rule in
            CompiledRule(
                name: rule.name,
                contains: rule.userAgentContains.map { Array($0.utf8).map(Self.lower) },
                equals: rule.userAgentEquals,
                networks: rule.networks.isEmpty ? nil : IPRangeSet(rule.networks),
                events: rule.events.isEmpty ? nil : Set(rule.events))
        }
        var seen: Set<String> = []
        names = rules.map(\.name).filter { seen.insert($0).inserted }
    }

    var ruleCount: Int { rules.count }

    /// The machine that made this hit, or nil for a person.
    func classify(userAgent: String?, client: ClientIP?, eventType: String) -> String? {
        guard !rules.isEmpty else { return nil }
        var lowered: [UInt8]?
        for rule in rules {
            if let events = rule.events, !events.contains(eventType) { continue }
            if let networks = rule.networks {
                guard let client, networks.contains(client) else { continue }
            }
            if !rule.contains.isEmpty || !rule.equals.isEmpty {
                guard let userAgent else { continue }
                var matched = rule.equals.contains(userAgent)
                if !matched && !rule.contains.isEmpty {
                    if lowered == nil { lowered = Array(userAgent.utf8).map(Self.lower) }
                    matched = rule.contains.contains { Self.find($0, in: lowered!) }
                }
                guard matched else { continue }
            }
            return rule.name
        }
        return nil
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}

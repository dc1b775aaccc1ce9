import TrackingRuntime
#if canImport(Glibc)
import Glibc
#endif

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
                var matched = !rule.equals.isEmpty && rule.equals.contains(userAgent)
                if !matched && !rule.contains.isEmpty {
                    if lowered == nil { lowered = Self.lowercased(userAgent) }
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

    private static func lowercased(_ text: String) -> [UInt8] {
        let utf8 = text.utf8
        return [UInt8](unsafeUninitializedCapacity: utf8.count) { buffer, count in
            for byte in utf8 {
                buffer[count] = lower(byte)
                count += 1
            }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        // memchr to each candidate first byte, memcmp for the rest (both vectorised in libc).
        return haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                let base = h.baseAddress!
                let last = h.count - n.count
                var offset = 0
                while offset <= last {
                    guard let hit = memchr(base + offset, Int32(n[0]), last - offset + 1) else { return false }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + position, n.baseAddress!, n.count) == 0 { return true }
                    offset = position + 1
                }
                return false
            }
        }
    }
}

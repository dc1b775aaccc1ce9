import Yams

/// A YAML node with the file, position and dotted key it came from, and typed readers
/// whose errors name all three and say what was expected.
struct ConfigNode {
    let node: Node
    let file: String
    let key: String

    private var mark: Mark? { node.mark }

    func error(_ message: String) -> ConfigError {
        location.error(message)
    }

    var location: ConfigLocation {
        ConfigLocation(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, key: key)
    }

    /// The entries of a mapping. Unknown keys and duplicates are errors at their own line.
    func mapping(allowed: Set<String>? = nil) throws(ConfigError) -> [(name: String, value: ConfigNode)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping of keys to values, got \(kind)") }
        var seen: Set<String> = []
        var entries: [(String, ConfigNode)] = []
        for (k, v) in mapping {
            let keyNode = ConfigNode(node: k, file: file, key: key)
            guard case .scalar(let scalar) = k else { throw keyNode.error("keys must be plain names") }
            let name = scalar.string
            let child = ConfigNode(node: v, file: file, key: key.isEmpty ? name : "\(key).\(name)")
            if let allowed, !allowed.contains(name) {
                let hint = closest(name, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigNode(node: k, file: file, key: child.key)
                    .error("unknown key\(hint) (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard seen.insert(name).inserted else { throw ConfigNode(node: k, file: file, key: child.key).error("duplicate key") }
            entries.append((name, child))
        }
        return entries
    }

    func sequence() throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let seq) = node else { throw error("expected a list, got \(kind)") }
        return seq.enumerated().map { ConfigNode(node: $0.element, file: file, key: "\(key)[\($0.offset)]") }
    }

    func string() throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a string, got \(kind)") }
        return scalar.string
    }

    func nonEmptyString() throws(ConfigError) -> String {
        let s = try string()
        guard !s.isEmpty else { throw error("must not be empty") }
        return s
    }

    func bool() throws(ConfigError) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else {
            throw error("expected true or false, got \(kind)")
        }
        switch scalar.string {
        case "true": return true
        case "false": return false
        default: throw error("expected true or false, got \"\(scalar.string)\"")
        }
    }

    func integer(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Int(scalar.string) else {
            throw error("expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(kind)")
        }
        guard range.contains(value) else {
            throw error("\(value) is out of range; expected \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(ConfigError) -> T where T.RawValue == String {
        let s = try string()
        guard let value = T(rawValue: s) else {
            throw error("\"\(s)\" is not one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// Runs a parser on the string value, turning its failure into an error at this node.
    func parsed<T>(_ parse: (String) throws -> T) throws(ConfigError) -> T {
        let s = try string()
        do { return try parse(s) } catch { throw self.error("\(error)") }
    }

    private var kind: String {
        switch node {
        case .scalar(let s): return s.string.isEmpty ? "an empty value" : "\"\(s.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// The allowed key nearest to a misspelt one, if it is close enough to be a typo.
private func closest(_ name: String, in allowed: Set<String>) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
    let a = Array(name)
    return allowed.map { ($0, distance(a, Array($0))) }.filter { $0.1 <= 3 }.min { $0.1 < $1.1 }?.0
}

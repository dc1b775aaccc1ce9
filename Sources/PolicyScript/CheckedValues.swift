import Tracking

/// `PolicyValues.set` remembered per variable and text, for one interpreter. Scripts set
/// the same few values again and again (a customer's domain, a list's tags), and checking
/// JSON text costs several microseconds; the check itself stays `PolicyValues.set`.
final class CheckedValues {
    private var known: [Key: PolicyValues] = [:]

    /// Enough for the distinct constants of a large script; past it the memory starts over.
    static let capacity = 512

    private struct Key: Hashable {
        let variable: String
        let text: String
    }

    /// The values `PolicyValues.set(variable, to: text)` makes from nothing, or its error.
    func values(_ variable: String, _ text: String) throws(PolicyValueError) -> PolicyValues {
        let key = Key(variable: variable, text: text)
        if let hit = known[key] { return hit }
        var fresh = PolicyValues()
        try fresh.set(variable, to: text)
        if known.count >= Self.capacity { known.removeAll(keepingCapacity: true) }
        known[key] = fresh
        return fresh
    }
}

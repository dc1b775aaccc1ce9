import Tracking

/// One hook call's view of its message, reached by the host functions through the
/// interpreter's budget record. It lives on the calling thread for the length of the call.
final class ScriptCall {
    let input: PolicyScriptInput
    /// The recipient `msg:rcptto()` returns.
    var recipient: String?
    /// The context variables set so far: by rules, then by the script.
    var values: PolicyValues
    /// The text of each variable the script set, as it set it (what `vctx:get` returns).
    var texts: [String: String]
    private let checked: CheckedValues

    /// - Parameter texts: what an earlier phase of this message set, as it set it.
    init(input: PolicyScriptInput, values: PolicyValues, texts: [String: String] = [:], checked: CheckedValues) {
        self.input = input
        self.values = values
        self.texts = texts
        self.checked = checked
    }

    /// Sets a variable with the declarative rules' checks and messages.
    func set(_ variable: String, to text: String) throws(PolicyValueError) {
        values = values.overridden(by: try checked.values(variable, text))
        texts[variable] = text
    }

    /// The variable's text: as the script set it, else as a rule did, else (for the
    /// customer) the auth module's value, as in Momentum. An unknown name is an error.
    func get(_ variable: String) throws(PolicyValueError) -> String? {
        guard PolicyValues.variables.contains(variable) else {
            throw PolicyValueError("unknown context variable \"\(variable)\"; known: \(PolicyValues.variables.joined(separator: ", "))")
        }
        if let text = texts[variable] ?? values.text(of: variable) { return text }
        return variable == "mo_customer_id" ? input.authName : nil
    }

    /// The values of every header field named `name` (any case), unfolded, in order.
    func headerValues(named name: [UInt8]) -> [[UInt8]] {
        var found: [[UInt8]] = []
        for field in input.headers where Self.sameName(field.name, name) {
            // RFC 5322 unfolding: a fold is a line break before white space; the break goes.
            found.append(field.value.filter { $0 != 0x0D && $0 != 0x0A })
        }
        return found
    }

    private static func sameName(_ a: String, _ b: [UInt8]) -> Bool {
        var index = 0
        for byte in a.utf8 {
            guard index < b.count, lowercase(byte) == lowercase(b[index]) else { return false }
            index += 1
        }
        return index == b.count
    }

    private static func lowercase(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }
}

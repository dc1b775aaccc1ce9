import Tracking

/// One hook call's view of its message, reached by the host functions through the
/// interpreter's budget record. It lives on the calling thread for the length of the call.
final class ScriptCall {
    let input: PolicyScriptInput
    /// The recipient `msg:rcptto()` returns.
    var recipient: String?
    /// The context variables set so far: by rules, then by the script.
    var values: PolicyValues
    /// What `vctx:get` returns: the text a variable was set to.
    var texts: [String: String]

    /// - Parameter texts: what an earlier phase of this message set, as it set it.
    init(input: PolicyScriptInput, values: PolicyValues, texts earlier: [String: String] = [:]) {
        self.input = input
        self.values = values
        var texts = earlier
        for variable in PolicyValues.variables {
            if texts[variable] == nil, let text = values.text(of: variable) { texts[variable] = text }
        }
        // The auth module's value, as in Momentum: what the script reads until something sets it.
        if texts["mo_customer_id"] == nil, let auth = input.authName { texts["mo_customer_id"] = auth }
        self.texts = texts
    }

    /// Sets a variable with the declarative rules' checks and messages.
    func set(_ variable: String, to text: String) throws(PolicyValueError) {
        try values.set(variable, to: text)
        texts[variable] = text
    }

    /// The variable's text, or nil when nothing set it; an unknown name is an error.
    func get(_ variable: String) throws(PolicyValueError) -> String? {
        guard PolicyValues.variables.contains(variable) else {
            throw PolicyValueError("unknown context variable \"\(variable)\"; known: \(PolicyValues.variables.joined(separator: ", "))")
        }
        return texts[variable]
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

// The YAML configuration loader (every section, policy rules included) and the tracker's
// machines file. An operator's typo must never crash start-up or a reload: every mistake is
// a ConfigError that names this file and a line inside it, and what loads behaves the same
// when loaded again. A loaded policy is also evaluated against a few envelopes. A
// `policy_script` is not loaded here (it names a file; the script engine has its own tests).
import FuzzSupport
import Tracking
import TrackingRuntime

let file = "/nonexistent-fuzz/config.yaml"

let contexts = [
    PolicyContext(),
    PolicyContext(customerID: "acme", clientAddress: "192.0.2.7", listener: "submission", sender: "news@shop.example",
                  recipients: ["a@one.example"]),
    PolicyContext(clientAddress: "2001:db8::1", recipients: ["b@two.example", "c@three.example"]),
]

runFuzzer { data in
    let text = String(decoding: data, as: UTF8.self)
    let lineCount = yamlLineCount(data)

    func checkLocated(_ error: ConfigError) {
        require(error.file == file, "error names another file: \(error)")
        require(error.line >= 0 && error.line <= lineCount + 1, "line \(error.line) outside the \(lineCount) lines: \(error)")
        require(error.column >= 0, "negative column: \(error)")
        require(!error.message.isEmpty, "error without a message")
        require(error.description.hasPrefix(file), "description does not start with the file: \(error.description)")
    }

    switch Result(catching: { () throws(ConfigError) in try ConfigLoader.parse(text, file: file, policyScript: false) }) {
    case .failure(let error):
        checkLocated(error)
    case .success(let configuration):
        let summary = ConfigSummary(configuration).text
        require(summary.hasPrefix("# \(file): OK"), "summary does not start with the file")
        let again = Result(catching: { () throws(ConfigError) in try ConfigLoader.parse(text, file: file, policyScript: false) })
        require((try? again.get()).map { ConfigSummary($0).text } == summary, "loading twice differs")
        for context in contexts {
            let first = configuration.policy.evaluate(context)
            require(configuration.policy.evaluate(context) == first, "policy evaluation is not repeatable")
        }
    }

    // Network files would be read from disk (a device could hang the run): left to the tests.
    guard !text.contains("network_files") else { return }
    switch Result(catching: { () throws(ConfigError) in try MachineRulesLoader.parse(text, file: file) }) {
    case .failure(let error): checkLocated(error)
    case .success(let rules): _ = MachineRulesSummary(rules)
    }
}

/// Touches every loaded rule, so a rule that loads but cannot be read would show.
struct MachineRulesSummary {
    init(_ rules: [MachineRule]) {
        for rule in rules { require(!rule.name.isEmpty, "a rule without a name loaded") }
    }
}

/// Lines as YAML counts them: CRLF, a lone CR and a lone LF each end one.
func yamlLineCount(_ data: UnsafeRawBufferPointer) -> Int {
    var lines = 1
    var previous: UInt8 = 0
    for byte in data {
        if byte == 0x0A && previous != 0x0D { lines += 1 }
        if byte == 0x0D { lines += 1 }
        previous = byte
    }
    return lines
}

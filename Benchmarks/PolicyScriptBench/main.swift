// The cost of a policy script per recipient (not a test): Benchmarks/run-policy-script-bench.
//
//   policy-script-bench [SCRIPT] [CALLS]
//       times PolicyScript.evaluate for one recipient of a realistic message with SCRIPT
//       (default deploy/policy-example.lua), next to a script whose hook does nothing,
//       single-threaded, and prints the fastest and the median of 7 runs of CALLS calls
//       (default 100000). On a machine shared with other work the fastest run is the
//       closer estimate of the cost itself; the median shows the spread.
import Foundation
import PolicyScript
import Tracking

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("policy-script-bench: \(message)\n".utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
let path = arguments.first ?? "deploy/policy-example.lua"
let calls = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000

/// The header block of an ordinary newsletter, about 1.5 KB.
let headers: [HeaderField] = [
    ("Received", "from app1.shop.example (app1.shop.example [192.0.2.7])\n\tby mx.shop.example (Postfix) with ESMTPSA id 4Xb1Q2"),
    ("DKIM-Filter", "OpenDKIM Filter v2.11.0 mx.shop.example 4Xb1Q2"),
    ("From", "\"Shop Newsletter\" <news@shop.example>"), ("To", "Ann Example <ann@example.com>"),
    ("Subject", "=?UTF-8?Q?Spring_sale=3A_30=25_off?="), ("Date", "Tue, 24 Mar 2026 09:00:00 +0000"),
    ("Message-ID", "<20260324090000.4Xb1Q2@shop.example>"), ("MIME-Version", "1.0"),
    ("Content-Type", "multipart/alternative; boundary=\"b1_5f2a\""),
    ("List-Id", "Shop weekly <weekly.shop.example>"),
    ("List-Unsubscribe", "<https://shop.example/u/4Xb1Q2>, <mailto:unsubscribe@shop.example>"),
    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"), ("X-Campaign", "spring-sale-2026"),
    ("X-MSYS-API", #"{"metadata": {"segment": "gold"}, "tags": ["spring"]}"#),
    ("Feedback-ID", "spring:weekly:shop"), ("Precedence", "bulk"),
].map { HeaderField(name: $0.0, value: Array($0.1.utf8)) }

let input = PolicyScriptInput(
    sender: "news@shop.example", recipients: ["ann@example.com"], headers: headers, listener: "submission",
    clientAddress: "192.0.2.7", authName: "acme")

func load(_ source: [UInt8], _ name: String) -> PolicyScript {
    do { return try PolicyScript(source: source, path: name) } catch { fail("\(error)") }
}

let realistic: PolicyScript
if let data = FileManager.default.contents(atPath: path) {
    realistic = load(Array(data), path)
} else {
    fail("cannot read \(path)")
}
let empty = load(Array("""
    local m = {}
    function m:validate_data_spool_each_rcpt(msg, accept, vctx) return msys.core.VALIDATE_CONT end
    msys.registerModule("m", m)
    """.utf8), "empty.lua")

/// Nanoseconds per call: the fastest and the median of 7 runs.
func measure(_ script: PolicyScript) -> (fastest: Double, median: Double) {
    do {
        let base = PolicyValues()
        var last = PolicyValues()
        for _ in 0..<min(calls, 10_000) { last = try script.evaluate(input, over: base) }
        var runs: [Double] = []
        for _ in 0..<7 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<calls { last = try script.evaluate(input, over: base) }
            runs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls))
        }
        if last.campaignID == "never" { print("") }
        let sorted = runs.sorted()
        return (sorted.first ?? 0, sorted[sorted.count / 2])
    } catch {
        fail("\(error)")
    }
}

print("| script | µs per recipient, fastest run | median run |")
print("|---|---|---|")
for (name, script) in [(path, realistic), ("empty hook", empty)] {
    let (fastest, median) = measure(script)
    print(String(format: "| %@ | %.2f | %.2f |", name, fastest / 1000, median / 1000))
}

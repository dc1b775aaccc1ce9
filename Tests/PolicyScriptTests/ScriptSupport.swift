import PolicyScript
import Tracking

/// Scripts under test, loaded as if from this path.
let scriptPath = "/etc/tracking-milter/policy.lua"

func load(_ text: String, budget: PolicyScriptBudget = PolicyScriptBudget()) throws(PolicyScriptError) -> PolicyScript {
    try PolicyScript(source: Array(text.utf8), path: scriptPath, budget: budget)
}

/// A script whose per-recipient hook is `body`.
func hook(_ body: String) -> String {
    """
    require("msys.core")
    local mod = {}
    function mod:validate_data_spool_each_rcpt(msg, accept, vctx)
    \(body)
      return msys.core.VALIDATE_CONT
    end
    msys.registerModule("test", mod)
    """
}

/// The load error of `text`, or nil when it loads.
func loadError(_ text: String, budget: PolicyScriptBudget = PolicyScriptBudget()) -> PolicyScriptError? {
    do {
        _ = try load(text, budget: budget)
        return nil
    } catch {
        return error
    }
}

/// The run error of `script` on `input`, or nil when it succeeds.
func runError(_ script: PolicyScript, _ input: PolicyScriptInput = sampleInput) -> PolicyScriptError? {
    do {
        _ = try script.evaluate(input, over: PolicyValues())
        return nil
    } catch {
        return error
    }
}

let sampleInput = PolicyScriptInput(
    sender: "news@shop.example", recipients: ["Ann@Example.com"],
    headers: [
        HeaderField(name: "Subject", value: Array("Weekly".utf8)),
        HeaderField(name: "X-Campaign", value: Array("spring\n sale".utf8)),
        HeaderField(name: "x-campaign", value: Array("second".utf8)),
    ],
    listener: "submission", clientAddress: "192.0.2.7", authName: "acme")

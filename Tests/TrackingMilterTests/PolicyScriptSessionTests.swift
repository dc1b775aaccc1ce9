import Foundation
import Milter
import MilterTesting
import Testing
import TrackingRuntime

@Suite("Tracking session with a policy script")
struct PolicyScriptSessionTests {
    /// A script file of its own; a hook that loops for ever on the recipient "loop@example.com".
    static func scriptPath() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("session-policy-\(UUID().uuidString).lua")
        try Data("""
            local mod = {}
            function mod:validate_data_spool_each_rcpt(msg, accept, vctx)
              if msg:rcptto() == "loop@example.com" then while true do end end
              vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", "from-lua")
            end
            msys.registerModule("m", mod)
            """.utf8).write(to: url)
        return url.path
    }

    @Test("on_error", arguments: [("accept", StepResult.accept), ("tempfail", StepResult.tempfail)])
    func onError(setting: String, expected: StepResult) throws {
        let f = try SessionFixture("milter:\n  on_error: \(setting)\npolicy_script: \(try Self.scriptPath())\n")
        #expect(f.send(recipients: ["<loop@example.com>"]) == expected)
        #expect(f.driver.context.replacedBody == nil)
        let modified = f.driver.context.calls.contains {
            switch $0 {
            case .changeHeader, .addHeader, .insertHeader, .replaceBody: return true
            default: return false
            }
        }
        #expect(!modified, "no modification on a failed message")
        if expected == .tempfail { #expect(f.driver.context.lastReply?.code == "451") }
        let line = try #require(f.line)
        #expect("\(line["outcome"] ?? "")" == "policy-script-failed")
        #expect("\(line["reason"] ?? "")".contains(".lua:3: instruction limit of 1000000 per call exceeded"))
        // The milter goes on: the next message is handled by the script as usual.
        #expect(f.send(recipients: ["<ok@example.com>"]) == .continue)
        #expect("\(f.line?["campaign"] ?? "")" == "from-lua")
    }
}

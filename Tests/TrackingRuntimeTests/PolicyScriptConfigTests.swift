import Testing
@testable import TrackingRuntime

@Suite("policy_script in the configuration")
struct PolicyScriptConfigTests {
    static let minimal = """
        local mod = {}
        function mod:validate_data_spool_each_rcpt(msg, accept, vctx) end
        msys.registerModule("m", mod)
        """

    @Test("a relative path is relative to the configuration file")
    func relative() throws {
        let dir = try ScriptDirectory()
        let path = try dir.write("policy.lua", Self.minimal)
        let configuration = try dir.configuration("policy_script: policy.lua\n")
        #expect(configuration.policyScript?.path == path)
        #expect(ConfigSummary(configuration).text.contains("policy_script: \(path)"))
    }

    @Test("a syntax error stops loading with the key's place and the script's FILE:LINE")
    func syntax() throws {
        let dir = try ScriptDirectory()
        let script = try dir.write("policy.lua", "local mod = {}\nfunction mod:validate_data_spool_each_rcpt(\nend end\n")
        #expect {
            try dir.configuration("log:\n  level: info\npolicy_script: policy.lua\n")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.line == 3 && error.key == "policy_script" && error.message.hasPrefix("\(script):3: ")
        }
    }

    @Test("an unreadable script says which file and what to check")
    func unreadable() throws {
        let dir = try ScriptDirectory()
        #expect {
            try dir.configuration("policy_script: missing.lua\n")
        } throws: { error in
            "\(error)".contains("\(dir.url.path)/missing.lua: cannot read the policy script; check the path and its permissions")
        }
    }

    @Test("commands that never run the script read its path only: a broken script does not stop them")
    func pathOnly() throws {
        let dir = try ScriptDirectory()
        let script = try dir.write("policy.lua", "this is not lua")
        let configPath = try dir.write("config.yaml", "policy_script: policy.lua\n")
        let configuration = try ConfigLoader.load(path: configPath, policyScript: false)
        #expect(configuration.policyScript == nil && configuration.policyScriptFile == script)
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: configPath) }
    }
}

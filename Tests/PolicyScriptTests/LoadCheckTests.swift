import PolicyScript
import Testing

@Suite("Policy script: what is refused when it loads")
struct LoadCheckTests {
    @Test("a syntax error names the file and line")
    func syntax() throws {
        let error = try #require(loadError("local mod = {}\n\nfunction mod:f(\n  if x then\nend\n"))
        #expect(error.kind == .load)
        #expect(error.description.hasPrefix("\(scriptPath):4: "), "\(error)")
    }

    @Test("a long path is reported whole, not as Lua's shortened name")
    func longPath() throws {
        let path = "/srv/" + String(repeating: "deeply/nested/", count: 8) + "policy.lua"
        do {
            _ = try PolicyScript(source: Array("x = = 1".utf8), path: path)
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.description.hasPrefix("\(path):1: "), "\(error)")
        }
    }

    @Test("an error while the top level runs")
    func topLevel() throws {
        let error = try #require(loadError("local t = nil\nlocal x = t.field\n"))
        #expect(error.kind == .load)
        #expect(error.description.hasPrefix("\(scriptPath):2: "), "\(error)")
    }

    @Test("calls the milter cannot honour fail at load", arguments: [
        ("msys.registerModule(\"m\", { validate_rcptto = function() end, validate_data_spool_each_rcpt = function() end })",
         "defines validate_rcptto, a hook tracking-milter never calls"),
        ("msys.registerModule(\"m\", { init = function() end, validate_data_spool_each_rcpt = function() end })",
         "defines init, a hook tracking-milter never calls"),
        ("msys.registerModule(\"m\", { helper = function() end })", "has neither validate_data_spool_each_rcpt nor validate_data_spool"),
        ("msys.registerModule(\"m\", { validate_data_spool_each_rcpt = 1 })", "must be a function, not a number"),
        ("local x = 1", "the script registers no module"),
        ("msys.runQuery(\"select 1\")", "msys.runQuery is not supported by tracking-milter"),
        ("local db = msys.db", "msys.db is not supported by tracking-milter"),
        ("require(\"msys.extended.message\")", "msg and vctx methods are built in"),
        ("require(\"msys.datasource\")", "only \"msys.core\" is available"),
        ("msys.registerModule(mod)", "name must be a string"),
    ])
    func refused(script: String, expected: String) throws {
        let error = try #require(loadError(script))
        #expect(error.kind == .load)
        #expect(error.description.hasPrefix(scriptPath + ":"), "\(error)")
        #expect(error.description.contains(expected), "\(error)")
    }

    @Test("an unknown hook defined after the registration is still found, at the registration's line")
    func lateHook() throws {
        let error = try #require(loadError("""
            local m = {}
            msys.registerModule("m", m)
            function m:validate_data_spool_each_rcpt() end
            function m:validate_mailfrom() end
            """))
        #expect(error.description.hasPrefix("\(scriptPath):2: module \"m\" defines validate_mailfrom"), "\(error)")
    }

    @Test("require(\"msys.core\") returns msys.core")
    func requireCore() throws {
        _ = try load("""
            local core = require("msys.core")
            assert(core.VALIDATE_CONT == msys.core.VALIDATE_CONT)
            local m = {}
            function m:validate_data_spool_each_rcpt() return core.VALIDATE_CONT end
            msys.registerModule("m", m)
            """)
    }

    @Test("msg is one object for every call, reading the message of the call in progress")
    func sameObject() throws {
        let script = try load("""
            local saved
            local m = {}
            function m:validate_data_spool_each_rcpt(msg, accept, vctx)
              if saved == nil then saved = msg return end
              vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", saved:mailfrom())
            end
            msys.registerModule("m", m)
            """)
        _ = try script.evaluate(sampleInput, over: .init())
        #expect(try script.evaluate(sampleInput, over: .init()).campaignID == "news@shop.example")
    }
}

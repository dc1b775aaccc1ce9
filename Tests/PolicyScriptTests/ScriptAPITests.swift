import PolicyScript
import Testing
import Tracking

@Suite("Policy script: the Momentum-shaped API")
struct ScriptAPITests {
    @Test("the issue's example: a header-driven campaign and a customer-driven switch")
    func example() throws {
        let script = try load("""
            require("msys.core")
            local mod = {}
            function mod:validate_data_spool_each_rcpt(msg, accept, vctx)
              local c = msg:header("X-Campaign")
              if c[1] then vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", c[1]) end
              if vctx:get(msys.core.VCTX_CONN, "mo_customer_id") == "acme" then
                vctx:set(msys.core.VCTX_MESS, "smtpapi_click_tracking", "1")
              end
              return msys.core.VALIDATE_CONT
            end
            msys.registerModule("tracking_policy", mod)
            """)
        let values = try script.evaluate(sampleInput, over: PolicyValues())
        #expect(values.campaignID == "spring sale")
        #expect(values.clickTracking == true)
        #expect(values.openTracking == nil)
        var other = sampleInput
        other.authName = "globex"
        #expect(try script.evaluate(other, over: PolicyValues()).clickTracking == nil)
    }

    @Test("envelope and connection accessors")
    func accessors() throws {
        let script = try load(hook("""
            local parts = { msg:mailfrom(), msg:rcptto(), accept:remote_address(), accept:listener(), accept:auth_user(),
                            tostring(#msg:header("x-CAMPAIGN")), tostring(#msg:header("Absent")) }
            vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", table.concat(parts, "|"))
            """))
        let values = try script.evaluate(sampleInput, over: PolicyValues())
        #expect(values.campaignID == "news@shop.example|Ann@Example.com|192.0.2.7|submission|acme|2|0")
    }

    @Test("absent envelope values are nil, not errors")
    func absent() throws {
        let script = try load(hook("""
            local s = tostring(msg:mailfrom()) .. tostring(accept:remote_address()) .. tostring(accept:auth_user())
            vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", s)
            """))
        #expect(try script.evaluate(PolicyScriptInput(recipients: ["a@b.example"]), over: PolicyValues()).campaignID == "nilnilnil")
    }

    @Test("header values keep NUL and 8-bit bytes; lengths are explicit")
    func bytes() throws {
        let script = try load(hook("""
            local v = msg:header("X-Bin")[1]
            vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", #v .. ":" .. v:byte(2) .. ":" .. v:byte(4))
            """))
        let input = PolicyScriptInput(recipients: ["a@b.example"], headers: [HeaderField(name: "X-Bin", value: [0x61, 0x00, 0x62, 0xFF])])
        #expect(try script.evaluate(input, over: PolicyValues()).campaignID == "4:0:255")
    }

    @Test("every variable can be set and read back; numbers are taken as their text")
    func everyVariable() throws {
        let script = try load(hook("""
            local M = msys.core.VCTX_MESS
            vctx:set(M, "smtpapi_campaign_id", "c")
            vctx:set(M, "smtpapi_click_tracking", "true")
            vctx:set(M, "smtpapi_open_tracking", 0)
            vctx:set(M, "smtpapi_click_tracking_scheme", "https")
            vctx:set(M, "smtpapi_open_tracking_scheme", "http")
            vctx:set(M, "smtpapi_tracking_domain", "t.example:8443")
            vctx:set(M, "smtpapi_tracking_link_expiry", 3600)
            vctx:set(M, "smtpapi_metadata", '{"k": "v"}')
            vctx:set(M, "smtpapi_tags", '["a", "b"]')
            vctx:set(msys.core.VCTX_CONN, "mo_customer_id", "cust")
            assert(vctx:get(M, "smtpapi_click_tracking") == "true")
            assert(vctx:get(M, "smtpapi_tracking_link_expiry") == "3600")
            """))
        let v = try script.evaluate(sampleInput, over: PolicyValues())
        #expect(v.campaignID == "c" && v.clickTracking == true && v.openTracking == false)
        #expect(v.clickScheme == .https && v.openScheme == .http && v.trackingDomain == "t.example:8443")
        #expect(v.linkExpiry == 3600 && v.metadata == ["k": .string("v")] && v.tags == ["a", "b"] && v.customerID == "cust")
    }

    @Test("a script reads what the rules set, and overrides it field by field")
    func overRules() throws {
        var base = PolicyValues()
        try base.set("smtpapi_campaign_id", to: "from-rule")
        try base.set("smtpapi_open_tracking", to: "true")
        try base.set("mo_customer_id", to: "rule-customer")
        let script = try load(hook("""
            local M = msys.core.VCTX_MESS
            vctx:set(M, "smtpapi_campaign_id", vctx:get(M, "smtpapi_campaign_id") .. "+" .. vctx:get(M, "smtpapi_open_tracking")
              .. "+" .. vctx:get(msys.core.VCTX_CONN, "mo_customer_id"))
            """))
        let v = try script.evaluate(sampleInput, over: base)
        #expect(v.campaignID == "from-rule+1+rule-customer")
        #expect(v.openTracking == true && v.customerID == "rule-customer")
    }

    @Test("bad values fail with the declarative rules' message and the script's line")
    func badValue() throws {
        let script = try load(hook("""
              vctx:set(msys.core.VCTX_MESS, "smtpapi_click_tracking", "yes")
            """))
        let error = try #require(runError(script))
        #expect(error.kind == .run)
        #expect(error.description == "\(scriptPath):4: vctx:set: smtpapi_click_tracking must be \"1\", \"0\", \"true\" or \"false\", got \"yes\"")
        var rules = PolicyValues()
        #expect(throws: PolicyValueError.self) { try rules.set("smtpapi_click_tracking", to: "yes") }
    }

    @Test("unknown variables, scopes and value types are errors", arguments: [
        ("vctx:set(msys.core.VCTX_MESS, \"smtpapi_click_traking\", \"1\")", "unknown context variable \"smtpapi_click_traking\""),
        ("vctx:get(msys.core.VCTX_MESS, \"my_own\")", "unknown context variable \"my_own\""),
        ("vctx:set(3, \"smtpapi_campaign_id\", \"x\")", "must be msys.core.VCTX_MESS or msys.core.VCTX_CONN"),
        ("vctx:set(msys.core.VCTX_MESS, \"smtpapi_click_tracking\", true)", "must be a string, got a boolean"),
        ("vctx:set(msys.core.VCTX_MESS, \"smtpapi_campaign_id\", string.rep(\"x\", 65))", "limited to 64 bytes"),
        ("msg:header(\"X-A\", \"v\")", "never changes headers"),
        ("msg:rcptto(\"other@example.com\")", "takes no argument"),
        ("msg:body()", "msg:body is not supported by tracking-milter"),
        ("local x = msys.core.VALIDATE_FAIL", "msys.core.VALIDATE_FAIL is not supported"),
    ])
    func misuse(line: String, expected: String) throws {
        let script = try load(hook(line))
        let error = try #require(runError(script))
        #expect(error.description.hasPrefix("\(scriptPath):4: "), "\(error)")
        #expect(error.description.contains(expected), "\(error)")
    }

    @Test("the objects work with dot calls too, as some Momentum scripts write them")
    func dotCalls() throws {
        let script = try load(hook("""
            vctx.set(msys.core.VCTX_MESS, "smtpapi_campaign_id", msg.mailfrom() .. "/" .. msg.header("Subject")[1])
            """))
        #expect(try script.evaluate(sampleInput, over: PolicyValues()).campaignID == "news@shop.example/Weekly")
    }

    @Test("validate_data_spool runs once before the per-recipient hook; VALIDATE_DONE stops later modules")
    func phases() throws {
        let script = try load("""
            local first, second = {}, {}
            function first:validate_data_spool(msg, accept, vctx)
              vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", "spool")
              return msys.core.VALIDATE_CONT
            end
            function first:validate_data_spool_each_rcpt(msg, accept, vctx)
              vctx:set(msys.core.VCTX_MESS, "smtpapi_tags", '["' .. vctx:get(msys.core.VCTX_MESS, "smtpapi_campaign_id") .. '"]')
              return msys.core.VALIDATE_DONE
            end
            function second:validate_data_spool_each_rcpt(msg, accept, vctx)
              error("never reached")
            end
            msys.registerModule("first", first)
            msys.registerModule("second", second)
            """)
        let v = try script.evaluate(sampleInput, over: PolicyValues())
        #expect(v.campaignID == "spool" && v.tags == ["spool"])
    }

    @Test("a shared body takes what the script set alike for every recipient")
    func sharedBody() throws {
        var base = PolicyValues()
        try base.set("smtpapi_open_tracking", to: "1")
        let script = try load(hook("""
            local M = msys.core.VCTX_MESS
            vctx:set(M, "smtpapi_campaign_id", "same")
            if msg:rcptto():find("@partner%.example$") then
              vctx:set(M, "smtpapi_click_tracking", "0")
              vctx:set(M, "smtpapi_open_tracking", "0")
            end
            """))
        var input = sampleInput
        input.recipients = ["a@partner.example", "b@shop.example"]
        let v = try script.evaluate(input, over: base)
        #expect(v.campaignID == "same")
        #expect(v.clickTracking == nil, "set for one recipient only: not applied")
        #expect(v.openTracking == true, "disagreement falls back to the rules' value")
        input.recipients = ["a@partner.example", "c@partner.example"]
        let both = try script.evaluate(input, over: base)
        #expect(both.clickTracking == false && both.openTracking == false)
    }

    @Test("a hook may return nothing; any other value is an error at the hook's line")
    func returnValues() throws {
        let silent = try load("""
            local m = {}
            function m:validate_data_spool_each_rcpt(msg, accept, vctx) end
            msys.registerModule("m", m)
            """)
        #expect(runError(silent) == nil)
        let wrong = try load("""
            local m = {}
            function m:validate_data_spool_each_rcpt(msg, accept, vctx)
              return "ok"
            end
            msys.registerModule("m", m)
            """)
        let error = try #require(runError(wrong))
        #expect(error.description == "\(scriptPath):2: validate_data_spool_each_rcpt returned a string; return msys.core.VALIDATE_CONT or msys.core.VALIDATE_DONE")
    }

    @Test("string, table, math and utf8 are there")
    func libraries() throws {
        let script = try load(hook("""
            local parts = {}
            for word in ("b a c"):gmatch("%a") do parts[#parts + 1] = word end
            table.sort(parts)
            local s = table.concat(parts) .. math.floor(2.5) .. utf8.char(233) .. string.format("%03d", 7)
            vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", s)
            """))
        #expect(try script.evaluate(sampleInput, over: PolicyValues()).campaignID == "abc2é007")
    }

    @Test("helper functions in a module are the script's own; they are not hooks")
    func helpers() throws {
        let script = try load("""
            local m = {}
            function m.campaign_for(sender) return sender:match("^(%w+)@") end
            function m:validate_data_spool_each_rcpt(msg, accept, vctx)
              vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", self.campaign_for(msg:mailfrom()))
            end
            msys.registerModule("m", m)
            """)
        #expect(try script.evaluate(sampleInput, over: PolicyValues()).campaignID == "news")
    }
}

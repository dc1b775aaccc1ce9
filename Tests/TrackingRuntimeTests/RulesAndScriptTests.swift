import Testing
import Tracking
@testable import TrackingRuntime

/// The same policies written as `policy:` rules and as a Lua script resolve to the same
/// settings, field by field, against the configuration and the X-MSYS-API header.
@Suite("Policy rules and policy scripts agree")
struct RulesAndScriptTests {
    static let common = """
        tracking:
          open_tracking_enabled: true
          click_tracking_enabled: false
          tracking_domain: track.example
        listeners:
          submission:
            click_tracking_enabled: true
            click_tracking_scheme: https

        """

    static let rules = """
        policy:
          - match:
              customer: acme
            set:
              smtpapi_tracking_domain: click.acme.example
              smtpapi_click_tracking_scheme: https
              smtpapi_open_tracking_scheme: https
          - match:
              recipient_domain: [partner.example, internal.example]
            set:
              smtpapi_click_tracking: "0"
              smtpapi_open_tracking: "0"
          - match:
              sender: news@shop.example
            set:
              smtpapi_campaign_id: weekly-newsletter
              smtpapi_tags: '["newsletter", "weekly"]'
              smtpapi_metadata: '{"list": "weekly"}'
              smtpapi_click_tracking: "true"
          - match:
              listener: submission
              client: 192.0.2.0/24
            set:
              mo_customer_id: office
              smtpapi_tracking_link_expiry: "600"
          - match:
              sender_domain: shop.example
            set:
              smtpapi_campaign_id: shop-default

        """

    static let script = """
        require("msys.core")
        local M, C = msys.core.VCTX_MESS, msys.core.VCTX_CONN

        local function domain(address)
          return address and (address:match("@([^@]+)$") or ""):lower()
        end

        local mod = {}
        function mod:validate_data_spool_each_rcpt(msg, accept, vctx)
          if accept:auth_user() == "acme" then
            vctx:set(M, "smtpapi_tracking_domain", "click.acme.example")
            vctx:set(M, "smtpapi_click_tracking_scheme", "https")
            vctx:set(M, "smtpapi_open_tracking_scheme", "https")
          end
          local rd = domain(msg:rcptto())
          if rd == "partner.example" or rd == "internal.example" then
            vctx:set(M, "smtpapi_click_tracking", "0")
            vctx:set(M, "smtpapi_open_tracking", "0")
          end
          local sender = (msg:mailfrom() or ""):lower()
          if sender == "news@shop.example" then
            vctx:set(M, "smtpapi_campaign_id", "weekly-newsletter")
            vctx:set(M, "smtpapi_tags", '["newsletter", "weekly"]')
            vctx:set(M, "smtpapi_metadata", '{"list": "weekly"}')
            vctx:set(M, "smtpapi_click_tracking", "true")
          end
          local client = accept:remote_address() or ""
          if accept:listener() == "submission" and client:match("^192%.0%.2%.%d+$") then
            vctx:set(C, "mo_customer_id", "office")
            vctx:set(M, "smtpapi_tracking_link_expiry", "600")
          end
          if domain(msg:mailfrom()) == "shop.example" then
            vctx:set(M, "smtpapi_campaign_id", "shop-default")
          end
          return msys.core.VALIDATE_CONT
        end
        msys.registerModule("tracking_policy", mod)
        """

    struct Case: CustomStringConvertible {
        var envelope: MessageEnvelope
        var headers: [HeaderField]
        var description: String {
            "\(envelope.customerID ?? "-") \(envelope.sender ?? "-") \(envelope.recipients) \(envelope.listener ?? "-") \(envelope.clientAddress ?? "-") \(headers.count)"
        }
    }

    /// Every combination of customer, sender, recipients, listener, client and header.
    static var cases: [Case] {
        var list: [Case] = []
        let headerValues = [
            nil,
            #"{"campaign_id": "from-header", "metadata": {"h": "1"}, "tags": ["h"], "options": {"open_tracking": false, "click_tracking": true}}"#,
        ]
        for customer in [nil, "acme"] {
            for sender in ["news@shop.example", "sales@shop.example", "x@elsewhere.example"] {
                for recipients in [["a@partner.example"], ["b@else.example"], ["a@partner.example", "c@internal.example"],
                                   ["a@partner.example", "b@else.example"]] {
                    for (listener, client) in [("submission", "192.0.2.9"), ("submission", "198.51.100.1"), ("smtpd", "192.0.2.9")] {
                        for header in headerValues {
                            var e = MessageEnvelope()
                            e.customerID = customer
                            e.sender = sender
                            e.recipients = recipients
                            e.listener = listener
                            e.clientAddress = client
                            var headers = [HeaderField(name: "Subject", value: Array("hi".utf8))]
                            if let header {
                                e.apiHeaderValues = [header]
                                headers.append(HeaderField(name: "X-MSYS-API", value: Array(header.utf8)))
                            }
                            list.append(Case(envelope: e, headers: headers))
                        }
                    }
                }
            }
        }
        return list
    }

    static func resolved(_ c: Case, _ configuration: Configuration) throws -> [ResolvedTracking] {
        switch MessageDecision.decide(c.envelope, headers: c.headers, configuration: configuration) {
        case .proceed(let p): return p.recipients.map(\.tracking)
        case .reject(let error): throw error
        case .scriptFailed(let error): throw error
        }
    }

    @Test("every case resolves alike, field by field")
    func agree() throws {
        let dir = try ScriptDirectory()
        try dir.write("policy.lua", Self.script)
        let byRules = try dir.configuration(Self.common + Self.rules, name: "rules.yaml")
        let byScript = try dir.configuration(Self.common + "policy_script: policy.lua\n", name: "script.yaml")
        #expect(byScript.policyScript != nil && byScript.policy.rules.isEmpty)
        let plainConfiguration = try dir.configuration(Self.common, name: "plain.yaml")
        var compared = 0
        var differing = Set<String>()
        for c in Self.cases {
            let a = try Self.resolved(c, byRules)
            let b = try Self.resolved(c, byScript)
            #expect(a == b, "\(c)")
            compared += 1
            // The policies must matter: each field differs from the configuration in some case.
            let plain = try Self.resolved(c, plainConfiguration)
            for (x, y) in zip(a, plain) {
                if x.trackingDomain != y.trackingDomain { differing.insert("domain") }
                if x.clickScheme != y.clickScheme { differing.insert("scheme") }
                if x.clickTracking != y.clickTracking { differing.insert("click") }
                if x.openTracking != y.openTracking { differing.insert("open") }
                if x.campaignID != y.campaignID { differing.insert("campaign") }
                if x.tags != y.tags { differing.insert("tags") }
                if x.metadata != y.metadata { differing.insert("metadata") }
                if x.customerID != y.customerID { differing.insert("customer") }
                if x.linkExpiry != y.linkExpiry { differing.insert("expiry") }
            }
        }
        #expect(compared == 144)
        #expect(differing == ["domain", "scheme", "click", "open", "campaign", "tags", "metadata", "customer", "expiry"])
    }

    @Test("rules apply first, then the script: it reads their values and overrides them")
    func rulesThenScript() throws {
        let dir = try ScriptDirectory()
        try dir.write("policy.lua", """
            local mod = {}
            function mod:validate_data_spool_each_rcpt(msg, accept, vctx)
              local M = msys.core.VCTX_MESS
              vctx:set(M, "smtpapi_campaign_id", vctx:get(M, "smtpapi_campaign_id") .. "-lua")
              return msys.core.VALIDATE_CONT
            end
            msys.registerModule("m", mod)
            """)
        let configuration = try dir.configuration("""
            policy:
              - set:
                  smtpapi_campaign_id: rules
                  smtpapi_open_tracking: "0"
            policy_script: policy.lua
            """)
        var e = MessageEnvelope()
        e.recipients = ["r@example.com"]
        e.apiHeaderValues = [#"{"campaign_id": "header"}"#]
        let t = try #require(try Self.resolved(Case(envelope: e, headers: []), configuration).first)
        #expect(t.campaignID == "rules-lua")
        #expect(t.openTracking == false)
    }
}

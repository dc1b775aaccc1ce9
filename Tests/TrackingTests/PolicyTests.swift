import Testing
import Tracking

@Suite("Policy rules")
struct PolicyTests {
    func values(_ pairs: [(String, String)]) throws -> PolicyValues {
        var v = PolicyValues()
        for (n, x) in pairs { try v.set(n, to: x) }
        return v
    }

    @Test("later rules override earlier ones field by field")
    func order() throws {
        let policy = Policy(rules: [
            PolicyRule(match: PolicyMatch(), values: try values([("smtpapi_campaign_id", "a"), ("smtpapi_click_tracking", "1")]), origin: "1"),
            PolicyRule(match: PolicyMatch(), values: try values([("smtpapi_campaign_id", "b")]), origin: "2"),
        ])
        let v = policy.evaluate(PolicyContext())
        #expect(v.campaignID == "b" && v.clickTracking == true)
    }

    @Test("each condition", arguments: [
        ("customer", true), ("client", true), ("listener", true), ("sender", true), ("sender_domain", true),
        ("recipient", true), ("recipient_domain", true),
    ])
    func conditions(kind: String, _: Bool) throws {
        var m = PolicyMatch()
        switch kind {
        case "customer": m.customers = ["acme"]
        case "client": m.clients = [IPNetwork("192.0.2.0/24")!]
        case "listener": m.listeners = ["submission"]
        case "sender": m.senders = ["news@shop.example"]
        case "sender_domain": m.senderDomains = ["shop.example"]
        case "recipient": m.recipients = ["a@x.example"]
        default: m.recipientDomains = ["x.example"]
        }
        let hit = PolicyContext(customerID: "acme", clientAddress: "192.0.2.77", listener: "submission",
                                sender: "News@Shop.example", recipients: ["A@X.example"])
        let miss = PolicyContext(customerID: "other", clientAddress: "198.51.100.1", listener: "smtpd",
                                 sender: "x@other.example", recipients: ["b@y.example"])
        #expect(m.matches(hit))
        #expect(!m.matches(miss))
        #expect(PolicyMatch().matches(miss), "an empty match is always")
    }

    @Test("a shared body matches a recipient condition only when every recipient does")
    func sharedBody() {
        var m = PolicyMatch(); m.recipientDomains = ["x.example"]
        #expect(m.matches(PolicyContext(recipients: ["a@x.example", "b@x.example"])))
        #expect(!m.matches(PolicyContext(recipients: ["a@x.example", "b@y.example"])))
    }

    @Test("CIDR and address matching", arguments: [
        ("192.0.2.0/24", "192.0.2.255", true), ("192.0.2.0/24", "192.0.3.0", false), ("10.0.0.1", "10.0.0.1", true),
        ("0.0.0.0/0", "203.0.113.9", true), ("2001:db8::/32", "2001:db8:1::5", true), ("2001:db8::/32", "2001:db9::1", false),
        ("::1", "::1", true), ("192.0.2.0/25", "::ffff:192.0.2.5", true), ("192.0.2.0/24", "IPv6:::ffff:192.0.2.5", true),
        ("10.0.0.0/8", "not-an-ip", false),
    ])
    func cidr(network: String, host: String, expected: Bool) throws {
        let n = try #require(IPNetwork(network))
        #expect(n.contains(host) == expected)
    }

    @Test("bad networks are refused", arguments: ["192.0.2.0/33", "300.1.1.1", "1.2.3", "2001:db8::/129", "1::2::3", "x"])
    func badNetworks(text: String) {
        #expect(IPNetwork(text) == nil)
    }

    @Test("values are checked as Momentum checks them", arguments: [
        ("smtpapi_click_tracking", "yes"), ("smtpapi_open_tracking", "2"), ("smtpapi_click_tracking_scheme", "ftp"),
        ("smtpapi_tracking_link_expiry", "-5"), ("smtpapi_tracking_link_expiry", "soon"), ("smtpapi_metadata", "[1]"),
        ("smtpapi_metadata", "{bad"), ("smtpapi_tags", #"{"a":1}"#), ("smtpapi_tags", "[1]"),
        ("smtpapi_campaign_id", String(repeating: "x", count: 65)), ("smtpapi_tracking_domain", "https://x"),
        ("smtpapi_unknown", "1"), ("mo_customer_id", ""),
    ])
    func badValues(variable: String, value: String) {
        var v = PolicyValues()
        #expect(throws: PolicyValueError.self) { try v.set(variable, to: value) }
    }

    @Test("tags beyond ten are dropped, as from the header")
    func tags() throws {
        let v = try values([("smtpapi_tags", "[" + (1...12).map { "\"t\($0)\"" }.joined(separator: ",") + "]")])
        #expect(v.tags?.count == 10)
    }
}

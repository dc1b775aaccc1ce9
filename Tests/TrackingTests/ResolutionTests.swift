import Testing
import Tracking

/// SPEC §2.4 field by field, built from Momentum's policy chapter: the header says one thing,
/// policy another ("black friday", {"key" : "value"}, ["cat", "dog"]), config a third.
@Suite("Resolution: config < header < policy")
struct ResolutionTests {
    static let options: TrackingOptions = {
        var o = TrackingOptions()
        o.openTrackingEnabled = false
        o.clickTrackingEnabled = true
        o.trackingDomain = "config.example"
        o.trackingLinkExpiry = 1000
        return o
    }()
    static let header = APIHeader(campaignID: "header campaign", metadata: ["from": .string("header")], tags: ["h1"],
                                  openTracking: true, clickTracking: false)

    static func policy(_ pairs: [(String, String)]) throws -> PolicyValues {
        var v = PolicyValues()
        for (name, value) in pairs { try v.set(name, to: value) }
        return v
    }

    enum Layers: String, CaseIterable { case configOnly, headerOverConfig, policyOverHeader, policyWithoutHeader }

    struct Row: Sendable, CustomTestStringConvertible {
        let field: String
        let variable: String
        let policyText: String
        let read: @Sendable (ResolvedTracking) -> String
        let config: String, header: String?, policy: String
        var testDescription: String { field }
    }

    static let rows: [Row] = [
        Row(field: "open", variable: "smtpapi_open_tracking", policyText: "0", read: { "\($0.openTracking)" },
            config: "false", header: "true", policy: "false"),
        Row(field: "click", variable: "smtpapi_click_tracking", policyText: "true", read: { "\($0.clickTracking)" },
            config: "true", header: "false", policy: "true"),
        Row(field: "campaign", variable: "smtpapi_campaign_id", policyText: "black friday", read: { $0.campaignID ?? "-" },
            config: "-", header: "header campaign", policy: "black friday"),
        Row(field: "metadata", variable: "smtpapi_metadata", policyText: #"{"key" : "value"}"#,
            read: { $0.metadata.map { JSONValue.object($0).jsonText } ?? "-" },
            config: "-", header: #"{"from":"header"}"#, policy: #"{"key":"value"}"#),
        Row(field: "tags", variable: "smtpapi_tags", policyText: #"["cat", "dog"]"#, read: { $0.tags.joined(separator: ",") },
            config: "", header: "h1", policy: "cat,dog"),
        Row(field: "click scheme (no header field)", variable: "smtpapi_click_tracking_scheme", policyText: "https",
            read: { $0.clickScheme.rawValue }, config: "http", header: nil, policy: "https"),
        Row(field: "open scheme (no header field)", variable: "smtpapi_open_tracking_scheme", policyText: "https",
            read: { $0.openScheme.rawValue }, config: "http", header: nil, policy: "https"),
        Row(field: "domain (no header field)", variable: "smtpapi_tracking_domain", policyText: "policy.example:8443",
            read: { $0.trackingDomain }, config: "config.example", header: nil, policy: "policy.example:8443"),
        Row(field: "expiry (no header field)", variable: "smtpapi_tracking_link_expiry", policyText: "60",
            read: { "\($0.linkExpiry)" }, config: "1000", header: nil, policy: "60"),
        Row(field: "customer (no header field)", variable: "mo_customer_id", policyText: "cust-policy",
            read: { $0.customerID ?? "-" }, config: "auth-name", header: nil, policy: "cust-policy"),
    ]

    @Test("every field through every layer", arguments: rows, Layers.allCases)
    func layers(row: Row, layers: Layers) throws {
        let header: APIHeader? = (layers == .configOnly || layers == .policyWithoutHeader) ? nil : Self.header
        let policy = (layers == .policyOverHeader || layers == .policyWithoutHeader)
            ? try Self.policy([(row.variable, row.policyText)]) : PolicyValues()
        let resolved = ResolvedTracking.resolve(options: Self.options, header: header, policy: policy, customerID: "auth-name")
        let expected: String
        switch layers {
        case .configOnly: expected = row.config
        case .headerOverConfig: expected = row.header ?? row.config
        case .policyOverHeader, .policyWithoutHeader: expected = row.policy
        }
        #expect(row.read(resolved) == expected)
    }

    @Test("two recipients of one message, each with its own recipient-domain rule")
    func twoRecipients() throws {
        var offForGmail = PolicyMatch(); offForGmail.recipientDomains = ["gmail.example"]
        var campaignForCorp = PolicyMatch(); campaignForCorp.recipientDomains = ["corp.example"]
        let policy = Policy(rules: [
            PolicyRule(match: offForGmail, values: try Self.policy([("smtpapi_click_tracking", "0"), ("smtpapi_open_tracking", "0")]), origin: "t:1"),
            PolicyRule(match: campaignForCorp, values: try Self.policy([("smtpapi_campaign_id", "corp"), ("smtpapi_tags", #"["b2b"]"#)]), origin: "t:2"),
        ])
        func resolve(_ rcpt: String) -> ResolvedTracking {
            let values = policy.evaluate(PolicyContext(sender: "news@shop.example", recipients: [rcpt]))
            return ResolvedTracking.resolve(options: Self.options, header: Self.header, policy: values, customerID: nil)
        }
        let gmail = resolve("Someone@GMAIL.example"), corp = resolve("buyer@corp.example")
        #expect(!gmail.openTracking && !gmail.clickTracking && gmail.campaignID == "header campaign" && gmail.tags == ["h1"])
        #expect(corp.openTracking && !corp.clickTracking && corp.campaignID == "corp" && corp.tags == ["b2b"])
    }
}

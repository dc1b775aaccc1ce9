import Logging
import Testing
import Tracking
@testable import TrackingRuntime

/// A policy script inside the message path: its values reach the tracked URLs, and when it
/// fails or overruns the message still leaves as `on_error` says.
@Suite("Policy script in the message path")
struct PolicyScriptMessageTests {
    static let keyring = try! TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "k")

    static var message: RawMessage { RawMessage(Array("""
        From: a@shop.example\r
        To: r@example.com\r
        X-Campaign: spring-sale\r
        Content-Type: text/html\r
        \r
        <a href="https://shop.example/p">x</a>\r

        """.utf8)) }

    static func run(_ dir: ScriptDirectory, script: String, onError: String = "accept")
        throws -> (result: OfflineRewrite.Result, outcome: MessageOutcome)
    {
        try dir.write("policy.lua", script)
        let configuration = try dir.configuration("""
            milter:
              on_error: \(onError)
            tracking:
              click_tracking_enabled: true
              tracking_domain: t.example
            policy_script: policy.lua
            """)
        let service = TrackingService(configuration: configuration, keyring: keyring, logger: Logger(label: "t"))
        var envelope = MessageEnvelope()
        envelope.recipients = ["r@example.com"]
        envelope.sender = "a@shop.example"
        return OfflineRewrite.run(message, envelope: envelope, service: service)
    }

    static func campaignScript(_ extra: String = "") -> String {
        """
        local mod = {}
        function mod:validate_data_spool_each_rcpt(msg, accept, vctx)
          \(extra)
          vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", msg:header("X-Campaign")[1])
          return msys.core.VALIDATE_CONT
        end
        msys.registerModule("m", mod)
        """
    }

    @Test("a header-driven campaign set in Lua is sealed into the tracked link")
    func campaignInToken() throws {
        let dir = try ScriptDirectory()
        let (result, outcome) = try Self.run(dir, script: Self.campaignScript())
        guard case .delivered(let message) = result else {
            Issue.record("expected delivery")
            return
        }
        let bytes = try message.bytes()
        #expect(outcome.kind == .rewritten)
        let text = String(decoding: bytes, as: UTF8.self)
        let start = try #require(text.range(of: "http://t.example/f/"))
        let url = text[start.lowerBound...].prefix { $0 != "\"" }
        let token = try TrackingToken.open(url.split(separator: "/").last.map(String.init) ?? "", with: Self.keyring)
        #expect(token.campaignID == "spring-sale")
    }

    @Test("a failing or overrunning script: on_error accept delivers the message unchanged", arguments: [
        ("error(\"no campaign for this sender\")", "policy.lua:3: no campaign for this sender"),
        ("while true do end", "instruction limit"),
        ("local s = string.rep(\"x\", 1 << 30)", "memory limit"),
        ("os.execute(\"true\")", "os is not available"),
        ("io.open(\"/etc/passwd\")", "io is not available"),
        ("require(\"os\")", #"only "msys.core" is available"#),
        ("load(\"\\27Lua\", \"b\", \"b\")", "only text chunks"),
    ])
    func acceptUnchanged(line: String, expected: String) throws {
        let dir = try ScriptDirectory()
        let (result, outcome) = try Self.run(dir, script: Self.campaignScript(line))
        guard case .delivered(let message) = result else {
            Issue.record("expected delivery")
            return
        }
        let bytes = try message.bytes()
        #expect(try bytes == Self.message.applying(Delivery(deleteAPIHeaders: nil, headerChanges: [], body: nil)).bytes())
        #expect(outcome.kind == .policyScriptFailed)
        let reason = "\(outcome.logMetadata["reason"] ?? "")"
        #expect(reason.hasPrefix(dir.url.path), "\(reason)")
        #expect(reason.contains(expected), "\(reason)")
        #expect("\(outcome.logMetadata["on_error"] ?? "")" == "accept")
        #expect("\(outcome.logMetadata["outcome"] ?? "")" == "policy-script-failed")
    }

    @Test("on_error tempfail answers 451 for a script failure")
    func tempfail() throws {
        let dir = try ScriptDirectory()
        let (result, outcome) = try Self.run(dir, script: Self.campaignScript("while true do end"), onError: "tempfail")
        guard case .tempfailed = result else {
            Issue.record("expected tempfail")
            return
        }
        #expect(outcome.kind == .policyScriptFailed)
    }

    @Test("a reload brings the new script; a message in flight finishes with the old one")
    func reload() throws {
        let dir = try ScriptDirectory()
        func config(_ campaign: String) throws -> Configuration {
            try dir.write("policy-\(campaign).lua", """
                local mod = {}
                function mod:validate_data_spool_each_rcpt(msg, accept, vctx)
                  vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", "\(campaign)")
                end
                msys.registerModule("m", mod)
                """)
            return try dir.configuration("""
                tracking:
                  click_tracking_enabled: true
                  tracking_domain: t.example
                policy_script: policy-\(campaign).lua
                """)
        }
        let service = TrackingService(configuration: try config("old"), keyring: Self.keyring, logger: Logger(label: "t"))
        var envelope = MessageEnvelope()
        envelope.recipients = ["r@example.com"]
        let inFlight = MessageProcessor(service: service, envelope: envelope)
        inFlight.header(name: "Content-Type", value: Array("text/html".utf8))
        service.replace(configuration: try config("new"), keyring: Self.keyring)
        let body = Array("<a href=\"https://shop.example/\">x</a>\r\n".utf8)
        body.withUnsafeBytes { inFlight.body($0) }
        #expect("\(inFlight.finish().logMetadata["campaign"] ?? "")" == "old")
        let next = MessageProcessor(service: service, envelope: envelope)
        next.header(name: "Content-Type", value: Array("text/html".utf8))
        body.withUnsafeBytes { next.body($0) }
        #expect("\(next.finish().logMetadata["campaign"] ?? "")" == "new")
    }
}

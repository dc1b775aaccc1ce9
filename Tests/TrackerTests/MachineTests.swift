import Foundation
import Testing
@testable import Tracker
import Tracking
import TrackingRuntime

@Suite("Machine classification")
struct MachineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the built-in rules are deploy/machines.yaml, and they load")
    func builtIn() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("deploy/machines.yaml"), encoding: .utf8)
        #expect(file == DefaultMachines.yaml, "copy deploy/machines.yaml into Sources/Tracker/DefaultMachines.swift")
        let rules = try DefaultMachines.rules()
        #expect(rules.count >= 8)
        #expect(Set(rules.map(\.name)).isSuperset(of: ["apple_mpp", "google_image_proxy", "microsoft_scanner", "link_preview"]))
        let fromFile = try MachineRulesLoader.load(path: Self.root.appendingPathComponent("deploy/machines.yaml").path)
        #expect(fromFile.map(\.name) == rules.map(\.name))
    }

    @Test("known fetchers are named by user agent, network and event type", arguments: [
        ("Mozilla/5.0", "203.0.113.1", "open", "apple_mpp"),
        ("Mozilla/5.0", "203.0.113.1", "initial_open", "apple_mpp"),
        ("Mozilla/5.0", "203.0.113.1", "click", nil),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)", "203.0.113.1", "open", nil),
        ("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", "66.249.84.1", "open", "google_image_proxy"),
        ("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", "203.0.113.1", "open", "yahoo_image_proxy"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120", "40.93.1.2", "click", "microsoft_scanner"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120", "2a01:111:f403:c000::1", "click", "microsoft_scanner"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "203.0.113.1", "click", "link_preview"),
        ("facebookexternalhit/1.1", "203.0.113.1", "link_unsubscribe", "link_preview"),
        ("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0.0.0 Safari/537.36", "203.0.113.1", "click", "headless_browser"),
        ("curl/8.5.0", "203.0.113.1", "click", "http_library"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15", "203.0.113.1", "click", nil),
    ] as [(String, String, String, String?)])
    func classify(userAgent: String, ip: String, event: String, expected: String?) throws {
        let classifier = MachineClassifier(rules: try DefaultMachines.rules())
        #expect(classifier.classify(userAgent: userAgent, client: ClientIP(ip), eventType: event) == expected)
    }

    @Test("a rule needs every condition it has; the first matching rule wins; network files read Apple's CSV")
    func ruleSemantics() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracker-machines-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            # Apple's format: prefix,country,region,city,
            172.224.226.0/27,GB,GB-EN,London,
            2a02:26f7:b3c0:4000::/64,US,US-CA,Los Angeles,

            """.write(to: dir.appendingPathComponent("egress.csv"), atomically: true, encoding: .utf8)
        let yaml = """
            machines:
              - name: both
                user_agent_contains: [scanner]
                networks: [192.0.2.0/24]
              - name: relay
                network_files: [egress.csv]
                events: [open]
              - name: loose
                user_agent_contains: [SCANNER]
            """
        let path = dir.appendingPathComponent("machines.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let classifier = MachineClassifier(rules: try MachineRulesLoader.load(path: path))
        #expect(classifier.classify(userAgent: "Acme Scanner", client: ClientIP("192.0.2.9"), eventType: "click") == "both")
        #expect(classifier.classify(userAgent: "Acme Scanner", client: ClientIP("198.51.100.1"), eventType: "click") == "loose")
        #expect(classifier.classify(userAgent: "Browser", client: ClientIP("192.0.2.9"), eventType: "click") == nil)
        #expect(classifier.classify(userAgent: nil, client: ClientIP("172.224.226.31"), eventType: "open") == "relay")
        #expect(classifier.classify(userAgent: nil, client: ClientIP("172.224.226.32"), eventType: "open") == nil)
        #expect(classifier.classify(userAgent: nil, client: ClientIP("2a02:26f7:b3c0:4000::99"), eventType: "open") == "relay")
        #expect(classifier.classify(userAgent: nil, client: ClientIP("172.224.226.1"), eventType: "click") == nil)
        #expect(classifier.classify(userAgent: nil, client: nil, eventType: "open") == nil)
        #expect(classifier.names == ["both", "relay", "loose"])
    }

    @Test("a large network list is searched, not scanned")
    func largeList() {
        var networks: [IPNetwork] = []
        for a in 0..<200 { for b in 0..<250 { networks.append(IPNetwork("100.\(a % 64 + 64).\(b).\(a / 64 * 64)/26")!) } }
        let rule = { () -> MachineRule in
            var r = MachineRule(name: "relay", origin: "test")
            r.networks = networks
            return r
        }()
        let classifier = MachineClassifier(rules: [rule])
        let start = ContinuousClock.now
        for i in 0..<10_000 {
            _ = classifier.classify(userAgent: nil, client: ClientIP("100.\(64 + i % 64).\(i % 250).1"), eventType: "open")
        }
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(classifier.classify(userAgent: nil, client: ClientIP("100.64.3.1"), eventType: "open") == "relay")
        #expect(classifier.classify(userAgent: nil, client: ClientIP("100.200.3.1"), eventType: "open") == nil)
    }

    @Test("machine hits are recorded and marked, never dropped")
    func marked() async throws {
        var settings = TrackerSettings()
        settings.trustedProxies = [IPNetwork("127.0.0.1")!]
        let fixture = TrackerFixture(settings: settings, machines: try DefaultMachines.rules())
        let (open, _) = try fixture.open()
        let (click, _) = try fixture.click()
        let metrics = try await fixture.withServer { client in
            _ = try await client.get("/q/\(open)", userAgent: "Mozilla/5.0")
            _ = try await client.get("/f/a/\(click)", userAgent: "Mozilla/5.0", forwardedFor: "104.47.1.1")
            _ = try await client.get("/f/a/\(click)", userAgent: "Mozilla/5.0 (X11) Firefox/140", forwardedFor: "203.0.113.5")
            return try await client.get("/metrics").bodyText
        }
        #expect(fixture.eventObjects.map { $0["machine"] as? String } == ["apple_mpp", "microsoft_scanner", nil])
        #expect(metrics.contains(#"tracker_machine_events_total{machine="apple_mpp"} 1"#))
    }

    @Test("replacing the rules (SIGHUP) takes effect for the next hit")
    func replace() async throws {
        let fixture = TrackerFixture(machines: [])
        let (open, _) = try fixture.open()
        _ = try await fixture.withServer { client in
            _ = try await client.get("/q/\(open)", userAgent: "Probe/1")
            var rule = MachineRule(name: "probe", origin: "test")
            rule.userAgentContains = ["probe"]
            fixture.core.replaceMachines([rule])
            _ = try await client.get("/q/\(open)", userAgent: "Probe/1")
        }
        #expect(fixture.eventObjects.map { $0["machine"] as? String } == [nil, "probe"])
        #expect(fixture.core.machineRuleCount == 1)
    }

    @Test("a broken machines file names its file, line and what is wrong", arguments: [
        ("machines:\n  - name: x\n", 2, "needs user_agent_contains"),
        ("machines:\n  - name: x\n    networks: [300.1.1.1/8]\n", 3, "not an IP address"),
        ("machines:\n  - name: x\n    user_agent_contains: [a]\n    events: [opened]\n", 4, "not an event type"),
        ("machines:\n  - user_agent_contains: [a]\n", 2, "needs a name"),
        ("machines:\n  - name: x\n    user_agent_contain: [a]\n", 3, "did you mean 'user_agent_contains'"),
        ("machines:\n  - name: \"two words\"\n    user_agent_contains: [a]\n", 2, "without spaces"),
        ("machines:\n  - name: x\n    network_files: [/nonexistent/egress.csv]\n", 3, "cannot read network file"),
        ("machine:\n  - name: x\n", 1, "unknown key"),
    ] as [(String, Int, String)])
    func errors(yaml: String, line: Int, message: String) {
        #expect {
            try MachineRulesLoader.parse(yaml, file: "/etc/tracking-milter/machines.yaml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.file == "/etc/tracking-milter/machines.yaml" && error.line == line && error.description.contains(message)
        }
    }
}

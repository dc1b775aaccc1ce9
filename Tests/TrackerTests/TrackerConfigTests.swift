import Foundation
import Testing
import Tracking
@testable import TrackingRuntime

@Suite("tracker: configuration")
struct TrackerConfigTests {
    @Test("defaults: 127.0.0.1:8080, events on stdout, built-in machines, 60 clicks a minute")
    func defaults() throws {
        let t = try ConfigLoader.parse("", file: "/etc/t.yaml").tracker
        #expect(t.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(t.trustedProxies.isEmpty && t.eventsToStandardOutput && t.machinesFile == nil)
        #expect(t.clickRateLimit == 60 && t.rateLimitClients == 100_000)
    }

    @Test("every key is read; paths are relative to the configuration file")
    func keys() throws {
        let yaml = """
            tracker:
              listen: "[::1]:9090"
              trusted_proxies: ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]
              events_file: events/tracker.jsonl
              machines_file: machines.yaml
              click_rate_limit: 0
              rate_limit_clients: 5000
            """
        let t = try ConfigLoader.parse(yaml, file: "/etc/tracking-milter/config.yaml").tracker
        #expect(t.listen == ListenAddress(host: "::1", port: 9090))
        #expect(t.listen.description == "[::1]:9090")
        #expect(t.trustedProxies.map(\.description) == ["127.0.0.1", "10.0.0.0/8", "fd00::/8"])
        #expect(t.eventsFile == "/etc/tracking-milter/events/tracker.jsonl" && !t.eventsToStandardOutput)
        #expect(t.machinesFile == "/etc/tracking-milter/machines.yaml")
        #expect(t.clickRateLimit == 0 && t.rateLimitClients == 5000)
        #expect(try ConfigLoader.parse("tracker:\n  events_file: \"-\"\n", file: "/e/c.yaml").tracker.eventsToStandardOutput)
        #expect(try ConfigLoader.parse("tracker:\n  listen: 0.0.0.0:80\n", file: "/e/c.yaml").tracker.listen.port == 80)
    }

    @Test("the bundled config's tracker section loads, with the built-in machines")
    func bundled() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let t = try ConfigLoader.load(path: root.appendingPathComponent("deploy/tracking-milter.yaml").path).tracker
        #expect(t.machinesFile == nil)
        #expect(t.listen.description == "127.0.0.1:8080")
        #expect(t.eventsToStandardOutput && t.clickRateLimit == 60)
    }

    @Test("mistakes stop start-up with file, line and the key", arguments: [
        ("tracker:\n  listen: 8080\n", 2, "tracker.listen", "HOST:PORT"),
        ("tracker:\n  listen: \"127.0.0.1:99999\"\n", 2, "tracker.listen", "1 to 65535"),
        ("tracker:\n  listen: \"[nothex]:80\"\n", 2, "tracker.listen", "not an IPv6"),
        ("tracker:\n  trusted_proxies: [\"10.0.0.0/33\"]\n", 2, "tracker.trusted_proxies[0]", "CIDR"),
        ("tracker:\n  trusted_proxies: 10.0.0.1\n", 2, "tracker.trusted_proxies", "expected a list"),
        ("tracker:\n  click_rate_limit: -1\n", 2, "tracker.click_rate_limit", "out of range"),
        ("tracker:\n  rate_limit_clients: 4\n", 2, "tracker.rate_limit_clients", "out of range"),
        ("tracker:\n  events_file: \"\"\n", 2, "tracker.events_file", "must not be empty"),
        ("tracker:\n  listne: \"127.0.0.1:1\"\n", 2, "tracker.listne", "did you mean 'listen'"),
    ] as [(String, Int, String, String)])
    func errors(yaml: String, line: Int, key: String, message: String) {
        #expect {
            try ConfigLoader.parse(yaml, file: "/etc/tracking-milter.yaml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.line == line && error.key == key && error.message.contains(message)
        }
    }
}

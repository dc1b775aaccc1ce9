import Milter
import Testing
import Tracking
@testable import TrackingRuntime
import TrackingMilter

@Suite("Configuration")
struct ConfigLoaderTests {
    @Test("a full file is read with every value")
    func full() throws {
        let c = try ConfigLoader.parse("""
            milter:
              socket: inet:8891@127.0.0.1
              socket_mode: "0600"
              timeout: 60
              on_error: tempfail
              header_errors: ignore
              strip_api_header: false
              recipient_mode: shared
            log:
              format: json
              level: debug
              syslog: true
            tracking:
              open_tracking_enabled: true
              click_tracking_enabled: true
              open_tracking_scheme: https
              click_tracking_scheme: https
              tracking_domain: track.example.com:8443
              tracking_link_expiry: 86400
              click_tracking_include_metadata: false
              max_metadata_len: 200
            listeners:
              submission:
                click_tracking_enabled: false
            """, file: "t.yaml")
        #expect(try c.milter.socketSpec(configFile: c.file) == .inet(port: 8891, host: "127.0.0.1"))
        #expect(c.milter.socketMode == 0o600)
        #expect(c.milter.timeout == 60)
        #expect(c.milter.onError == .tempfail)
        #expect(c.milter.headerErrors == .ignore)
        #expect(c.milter.stripAPIHeader == false)
        #expect(c.milter.recipientMode == .shared)
        #expect(c.log.format == .json && c.log.level == .debug && c.log.syslog)
        let t = c.tracking
        #expect(t.openTrackingEnabled && t.clickTrackingEnabled)
        #expect(t.openTrackingScheme == .https && t.clickTrackingScheme == .https)
        #expect(t.trackingDomain == "track.example.com:8443")
        #expect(t.trackingLinkExpiry == 86400 && !t.clickTrackingIncludeMetadata && t.maxMetadataLength == 200)
        // A listener overrides field by field; the rest comes from `tracking`.
        let s = c.trackingOptions(listener: "submission")
        #expect(s.clickTrackingEnabled == false && s.openTrackingEnabled && s.trackingDomain == "track.example.com:8443")
        #expect(c.trackingOptions(listener: "other") == t)
        #expect(c.trackingOptions(listener: nil) == t)
    }

    @Test("an empty file means every default")
    func empty() throws {
        let c = try ConfigLoader.parse("", file: "e.yaml")
        #expect(c.tracking == TrackingOptions())
        #expect(c.milter.recipientMode == .split && c.milter.onError == .accept && c.milter.headerErrors == .reject)
        #expect(c.milter.stripAPIHeader)
    }

    @Test("the bundled default config loads")
    func bundled() throws {
        let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let c = try ConfigLoader.load(path: "/" + path + "/deploy/tracking-milter.yaml")
        #expect(try c.milter.socketSpec(configFile: c.file) == .unix(path: "/run/tracking-milter/milter.sock"))
        #expect(c.tracking.trackingDomain == TrackingOptions.defaultTrackingDomain)
        #expect(c.tracking.listUnsubscribe == .off)
    }

    @Test("list_unsubscribe is off by default and set per listener like the other tracking keys")
    func listUnsubscribe() throws {
        #expect(TrackingOptions().listUnsubscribe == .off)
        let c = try ConfigLoader.parse(
            "tracking:\n  list_unsubscribe: one-click\nlisteners:\n  internal:\n    list_unsubscribe: \"off\"\n", file: "l.yaml")
        #expect(c.trackingOptions(listener: nil).listUnsubscribe == .oneClick)
        #expect(c.trackingOptions(listener: "internal").listUnsubscribe == .off)
        #expect(ConfigSummary(c).text.contains("  list_unsubscribe: one-click\n"))
    }

    @Test("each mistake stops loading with file, line and what is expected", arguments: [
        ("milter:\n  on_eror: accept\n", 2, "milter.on_eror", "did you mean 'on_error'"),
        ("tracking:\n  open_tracking_enabled: yes\n", 2, "tracking.open_tracking_enabled", "expected true or false"),
        ("tracking:\n  open_tracking_enabled: \"true\"\n", 2, "tracking.open_tracking_enabled", "expected true or false"),
        ("milter:\n  on_error: maybe\n", 2, "milter.on_error", "is not one of: accept, tempfail"),
        ("milter:\n  socket: tcp:25\n", 2, "milter.socket", "unknown socket kind"),
        ("milter:\n  socket_mode: \"0999\"\n", 2, "milter.socket_mode", "octal file mode"),
        ("tracking:\n  tracking_link_expiry: -5\n", 2, "tracking.tracking_link_expiry", "out of range"),
        ("tracking:\n  tracking_link_expiry: soon\n", 2, "tracking.tracking_link_expiry", "whole number"),
        ("tracking:\n  tracking_domain: https://t.example.com\n", 2, "tracking.tracking_domain", "no scheme or path"),
        ("tracking:\n  click_tracking_scheme: ftp\n", 2, "tracking.click_tracking_scheme", "http, https"),
        ("tracking:\n  list_unsubscribe: true\n", 2, "tracking.list_unsubscribe", "is not one of: off, one-click"),
        ("listeners:\n  smtpd:\n    list_unsubscribe: oneclick\n", 3, "listeners.smtpd.list_unsubscribe", "off, one-click"),
        ("log:\n  level: loud\n", 2, "log.level", "is not one of"),
        // libyaml reports a duplicate at the line where its mapping starts.
        ("milter:\n  timeout: 5\n  timeout: 6\n", 2, "timeout", "duplicate key"),
        ("tracking: [1, 2]\n", 1, "tracking", "expected a mapping"),
        ("listeners:\n  smtpd:\n    bogus: 1\n", 3, "listeners.smtpd.bogus", "unknown key"),
        ("milter:\n  socket: [unclosed\n", 3, "", "YAML syntax"),
    ])
    func located(yaml: String, line: Int, key: String, fragment: String) {
        do {
            // As the milter starts: the file, then the socket it names.
            let c = try ConfigLoader.parse(yaml, file: "/etc/tracking-milter.yaml")
            _ = try c.milter.socketSpec(configFile: c.file)
            Issue.record("expected an error for \(yaml)")
        } catch {
            #expect(error.file == "/etc/tracking-milter.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.description.contains(fragment), "\(error)")
            #expect(error.description.hasPrefix("/etc/tracking-milter.yaml:\(line):"))
        }
    }

    @Test("a missing file says so with its path")
    func missing() {
        #expect { try ConfigLoader.load(path: "/nonexistent/t.yaml") } throws: { error in
            "\(error)".hasPrefix("/nonexistent/t.yaml: cannot read the file")
        }
    }
}

@Suite("Configuration: policy rules")
struct PolicyConfigTests {
    @Test("rules load in order with their conditions and values")
    func loads() throws {
        let c = try ConfigLoader.parse("""
            policy:
              - match:
                  recipient_domain: [gmail.example, Yahoo.example]
                set:
                  smtpapi_click_tracking: "0"
              - match:
                  customer: acme
                  client: 192.0.2.0/24
                set:
                  smtpapi_tracking_domain: track.acme.example
                  smtpapi_metadata: '{"plan": "gold"}'
                  smtpapi_tags: '["vip"]'
              - set:
                  smtpapi_campaign_id: everyone
            """, file: "p.yaml")
        #expect(c.policy.rules.count == 3)
        #expect(c.policy.rules[0].match.recipientDomains == ["gmail.example", "yahoo.example"])
        #expect(c.policy.rules[0].values.clickTracking == false)
        #expect(c.policy.rules[1].values.trackingDomain == "track.acme.example")
        #expect(c.policy.rules[1].origin == "p.yaml:6")
        let v = c.policy.evaluate(PolicyContext(customerID: "acme", clientAddress: "192.0.2.9", recipients: ["x@gmail.example"]))
        #expect(v.clickTracking == false && v.trackingDomain == "track.acme.example" && v.campaignID == "everyone")
        #expect(v.metadata == ["plan": .string("gold")] && v.tags == ["vip"])
    }

    @Test("each bad rule stops loading at its line", arguments: [
        ("policy:\n  - set:\n      smtpapi_metadata: '[1, 2]'\n", 3, "JSON object"),
        ("policy:\n  - set:\n      smtpapi_click_tracking_scheme: gopher\n", 3, "http or https"),
        ("policy:\n  - set:\n      smtpapi_tracking_link_expiry: \"-1\"\n", 3, "positive number of seconds"),
        ("policy:\n  - set:\n      smtpapi_colour: red\n", 3, "unknown key"),
        ("policy:\n  - set:\n      smtpapi_open_tracking: maybe\n", 3, "\"1\", \"0\", \"true\" or \"false\""),
        ("policy:\n  - match:\n      client: 999.1.1.1\n    set:\n      smtpapi_open_tracking: \"1\"\n", 3, "CIDR"),
        ("policy:\n  - match:\n      sender: example.com\n    set:\n      smtpapi_open_tracking: \"1\"\n", 3, "not an address"),
        ("policy:\n  - match:\n      colour: red\n    set:\n      smtpapi_open_tracking: \"1\"\n", 3, "unknown key"),
        ("policy:\n  - match:\n      customer: acme\n", 2, "needs a set"),
        ("policy:\n  - set: {}\n", 2, "at least one variable"),
        ("policy:\n  match: {}\n", 2, "expected a list"),
    ])
    func bad(yaml: String, line: Int, fragment: String) {
        do {
            _ = try ConfigLoader.parse(yaml, file: "rules.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.contains(fragment), "\(error)")
        }
    }
}

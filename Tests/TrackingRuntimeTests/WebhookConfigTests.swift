import Foundation
import Testing
@testable import TrackingRuntime

@Suite("events.webhooks configuration")
struct WebhookConfigTests {
    static func parse(_ hooks: String, file: String = "/etc/t/c.yaml") throws(ConfigError) -> [WebhookSettings] {
        try ConfigLoader.parse("events:\n  spool:\n    dir: /var/spool/t\n  webhooks:\n" + hooks, file: file).events.webhooks
    }

    static func error(_ hooks: String, file: String = "/etc/t/c.yaml") -> String {
        do {
            _ = try parse(hooks, file: file)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test("defaults: no auth, no signature, 10 s timeout, 1000 events / 1 MiB / 2 s, 8 hours of retries")
    func defaults() throws {
        let hook = try #require(try Self.parse("    - url: https://h.example/x\n").first)
        #expect(hook.name == "webhook1" && hook.url == "https://h.example/x")
        #expect(hook.auth == .none && hook.signingSecret == nil && hook.headers.isEmpty && hook.timeoutSeconds == 10)
        #expect(hook.delivery == DeliverySettings())
        #expect(hook.delivery.maxRetrySeconds == 28800 && hook.delivery.batchMaxEvents == 1000)
    }

    @Test("every key read")
    func everything() throws {
        let hooks = try Self.parse("""
                - name: main
                  url: http://127.0.0.1:9/h
                  auth: basic
                  username: u
                  password: p
                  headers:
                    X-Api-Key: k
                  signing_secret: sig
                  timeout: 3
                  batch_max_events: 50
                  batch_max_bytes: 4096
                  batch_max_seconds: 0
                  backoff_initial_seconds: 2
                  backoff_max_seconds: 30
                  max_retry_seconds: 60
                  dead_letter: dead.jsonl
                - name: other
                  url: https://o.example/
                  auth: oauth2
                  token_url: https://auth.example/token
                  client_id: cid
                  client_secret: cs
                  scope: events

            """)
        let main = hooks[0]
        #expect(main.auth == .basic(username: "u", password: Secret("p")))
        #expect(main.headers == [WebhookHeader(name: "X-Api-Key", value: Secret("k"))])
        #expect(main.signingSecret == Secret("sig") && main.timeoutSeconds == 3)
        var d = DeliverySettings()
        d.batchMaxEvents = 50
        d.batchMaxBytes = 4096
        d.batchMaxSeconds = 0
        d.backoffInitialSeconds = 2
        d.backoffMaxSeconds = 30
        d.maxRetrySeconds = 60
        d.deadLetter = "/etc/t/dead.jsonl"
        #expect(main.delivery == d)
        #expect(hooks[1].auth == .oauth2(OAuth2ClientCredentials(
            tokenURL: "https://auth.example/token", clientID: "cid", clientSecret: Secret("cs"), scope: "events")))
    }

    @Test("secrets from *_file: the first line, relative to the config file")
    func secretFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hookcfg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "pw-from-file\nignored\n".write(toFile: dir + "/pw", atomically: true, encoding: .utf8)
        try "sig-from-file\n".write(toFile: dir + "/sig", atomically: true, encoding: .utf8)
        try "".write(toFile: dir + "/empty", atomically: true, encoding: .utf8)
        let hook = try #require(try Self.parse(
            "    - url: https://h.example/\n      auth: basic\n      username: u\n      password_file: pw\n      signing_secret_file: \(dir)/sig\n",
            file: dir + "/c.yaml").first)
        #expect(hook.auth == .basic(username: "u", password: Secret("pw-from-file")))
        #expect(hook.signingSecret == Secret("sig-from-file"))
        let empty = Self.error("    - url: https://h.example/\n      signing_secret_file: empty\n", file: dir + "/c.yaml")
        #expect(empty.contains("c.yaml:6:") && empty.contains("is empty"))
        let missing = Self.error("    - url: https://h.example/\n      signing_secret_file: nope\n", file: dir + "/c.yaml")
        #expect(missing.contains("c.yaml:6:") && missing.contains("cannot read"))
    }

    @Test("mistakes stop start-up at FILE:LINE and say what to do", arguments: [
        ("    - url: https://h/\n      batch_max_event: 5\n", "c.yaml:6:", "did you mean 'batch_max_events'"),
        ("    - url: ftp://h/\n", "c.yaml:5:", "not an http(s) URL"),
        ("    - name: a\n", "c.yaml:5:", "needs url"),
        ("    - url: https://h/\n      auth: digest\n", "c.yaml:6:", "not one of: none, basic, oauth2"),
        ("    - url: https://h/\n      auth: basic\n      username: u\n", "c.yaml:5:", "needs password: or password_file:"),
        ("    - url: https://h/\n      username: u\n", "c.yaml:6:", "belongs to auth: basic"),
        ("    - url: https://h/\n      auth: basic\n      username: a:b\n      password: p\n", "c.yaml:5:", "cannot contain ':'"),
        ("    - url: https://h/\n      auth: oauth2\n      client_id: c\n      client_secret: s\n", "c.yaml:5:", "needs token_url"),
        ("    - url: https://h/\n      auth: basic\n      username: u\n      password: p\n      password_file: f\n", "c.yaml:9:", "not both"),
        ("    - url: https://h/\n      headers:\n        Content-Type: text/plain\n", "c.yaml:7:", "set by the webhook itself"),
        ("    - url: https://h/\n      headers:\n        \"a b\": x\n", "c.yaml:7:", "not a valid header name"),
        ("    - url: https://h/\n      timeout: 0\n", "c.yaml:6:", "out of range"),
        ("    - url: https://h/\n      backoff_initial_seconds: 60\n      backoff_max_seconds: 10\n", "c.yaml:5:", "at most backoff_max_seconds"),
        ("    - url: https://h/\n      name: a/b\n", "c.yaml:6:", "letters, digits"),
        ("    - url: https://h/\n    - url: https://i/\n      name: webhook1\n", "c.yaml:6:", "unique name"),
    ])
    func mistakes(hooks: String, location: String, message: String) {
        let text = Self.error(hooks)
        #expect(text.contains(location) && text.contains(message), "\(text)")
    }

    @Test("events.metrics_listen is read")
    func metricsListen() throws {
        let c = try ConfigLoader.parse("events:\n  metrics_listen: 127.0.0.1:9104\n", file: "c.yaml")
        #expect(c.events.metricsListen == ListenAddress(host: "127.0.0.1", port: 9104))
    }
}

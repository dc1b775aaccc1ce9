import Foundation
import Logging
import Testing
import Tracking
@testable import TrackingMilter
@testable import TrackingRuntime

/// `max_token_bytes`, `max_growth` and `growth_allowance`: read from `limits:`, and what
/// a message over them becomes (delivered unchanged, the limit named in the log line).
@Suite("Limit settings")
struct LimitSettingsTests {
    @Test("the new limits are read, shown by check-config, and checked for range")
    func read() throws {
        let c = try ConfigLoader.parse("limits:\n  max_token_bytes: 8192\n  max_growth: 3\n  growth_allowance: 0\n", file: "l.yaml")
        #expect(c.limits.maxTokenBytes == 8192 && c.limits.maxGrowth == 3 && c.limits.growthAllowance == 0)
        #expect(ConfigSummary(c).text.contains("max_token_bytes=8192 max_growth=3 growth_allowance=0"))
        for (key, value) in [("max_token_bytes", "10"), ("max_growth", "0"), ("growth_allowance", "-1")] {
            #expect(throws: ConfigError.self) { try ConfigLoader.parse("limits:\n  \(key): \(value)\n", file: "l.yaml") }
            do {
                _ = try ConfigLoader.parse("limits:\n  \(key): \(value)\n", file: "l.yaml")
            } catch {
                #expect(error.key == "limits.\(key)" && error.line == 2)
            }
        }
    }

    @Test("tags and metadata past max_token_bytes pass the message unchanged at once")
    func tokenBytes() throws {
        // 4,079 + 17 bytes of tags is exactly 4,096: tracked; one byte more is not.
        for (length, passed) in [(4079, false), (4080, true)] {
            let f = try SessionFixture("tracking:\n  click_tracking_enabled: true\n")
            let tag = String(repeating: "t", count: length)
            #expect(f.send(apiHeader: [#"{"tags":["\#(tag)","abcdefghijklmnopq"]}"#]) == .continue)
            #expect((f.driver.context.replacedBody == nil) == passed)
            #expect(f.driver.context.calls.first == .changeHeader(name: "X-MSYS-API", index: 1, value: nil))
            #expect(f.line?["outcome"]?.description == (passed ? "unchanged" : "rewritten"))
            #expect(f.line?["reason"]?.description == (passed ? "max_token_bytes exceeded (4096)" : nil))
        }
    }

    /// The reviewer's message, scaled as measured: two 30 KB tags and 1,000 links in 23 KB of HTML.
    static func bigTagsMessage(limits: String) throws -> Logger.Metadata {
        let configuration = try ConfigLoader.parse(
            "tracking:\n  tracking_domain: t.example\nlimits:\n\(limits)", file: "l.yaml")
        let keyring = try TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "k")
        let service = TrackingService(configuration: configuration, keyring: keyring, logger: Logger(label: "test"))
        var envelope = MessageEnvelope()
        envelope.recipients = ["r@example.com"]
        let processor = MessageProcessor(service: service, envelope: envelope)
        let tags = [String(repeating: "a", count: 30_000), String(repeating: "b", count: 30_000)]
        let api = #"{"tags":["\#(tags[0])","\#(tags[1])"],"options":{"open_tracking":true,"click_tracking":true}}"#
        processor.header(name: "Content-Type", value: Array("text/html".utf8))
        processor.header(name: "X-MSYS-API", value: Array(api.utf8))
        let body = "<html><body>\r\n" + (0..<1000).map { "<a href=http://e/\($0)>x " }.joined() + "</body></html>\r\n"
        Array(body.utf8).withUnsafeBytes { processor.body($0) }
        let outcome = processor.finish()
        guard case .deliver(let delivery) = outcome.action else {
            Issue.record("not delivered")
            return [:]
        }
        #expect(delivery.body == nil, "the body was replaced")
        return outcome.logMetadata
    }

    @Test("with max_token_bytes raised, max_growth stops sealing at the first URL past it")
    func growth() throws {
        let line = try Self.bigTagsMessage(limits: "  max_token_bytes: 1048576\n")
        #expect(line["outcome"] == "unchanged")
        #expect(line["reason"]?.description == "max_growth exceeded (10)")
        // 23 KB in, so 10 x 23 KB + 256 KiB allowed: three 80 KB URLs fit, the fourth does not.
        let tracked = Int(line["links_tracked"]?.description ?? "") ?? -1
        #expect((1...6).contains(tracked), "links_tracked=\(tracked)")
    }

    @Test("max_links stops sealing at the limit")
    func links() throws {
        let line = try Self.bigTagsMessage(
            limits: "  max_token_bytes: 1048576\n  max_links: 20\n  max_growth: 1000\n  growth_allowance: 1073741824\n")
        #expect(line["reason"]?.description == "max_links exceeded (20)")
        #expect(line["links_tracked"]?.description == "20")
    }
}

import Logging
import Testing
import Tracking
@testable import TrackingRuntime

@Suite("Reloading the service's settings")
struct ReloadTests {
    static let keyring = try! TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "k")

    @Test("a reload puts configuration and keys in force together; what needs a restart is kept and named")
    func replace() throws {
        let old = try ConfigLoader.parse("milter:\n  socket: unix:/run/a.sock\ntracking:\n  tracking_domain: a.example\n", file: "c.yaml")
        let service = TrackingService(configuration: old, keyring: Self.keyring, logger: Logger(label: "t"))
        let newKeys = try TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(keyID: 9), file: "k")
        let new = try ConfigLoader.parse(
            "milter:\n  socket: unix:/run/b.sock\n  header_errors: ignore\ntracking:\n  tracking_domain: b.example\n", file: "c.yaml")
        let kept = service.replace(configuration: new, keyring: newKeys)
        let settings = service.settings
        #expect(settings.configuration.tracking.trackingDomain == "b.example")
        #expect(settings.configuration.milter.headerErrors == .ignore)
        #expect(settings.configuration.milter.socket.value == "unix:/run/a.sock")
        #expect(settings.keyring.activeKey.id == 9)
        #expect(kept == ["milter.socket"])
    }

    @Test("a message takes the settings once: a reload while it is in flight does not change it")
    func inFlight() throws {
        let old = try ConfigLoader.parse("tracking:\n  click_tracking_enabled: true\n  tracking_domain: a.example\n", file: "c.yaml")
        let service = TrackingService(configuration: old, keyring: Self.keyring, logger: Logger(label: "t"))
        var envelope = MessageEnvelope()
        envelope.recipients = ["r@example.com"]
        let processor = MessageProcessor(service: service, envelope: envelope)
        processor.header(name: "Content-Type", value: Array("text/html".utf8))
        let new = try ConfigLoader.parse("tracking:\n  click_tracking_enabled: true\n  tracking_domain: b.example\n", file: "c.yaml")
        service.replace(configuration: new, keyring: Self.keyring)
        let body = Array("<a href=\"https://shop.example/\">x</a>\r\n".utf8)
        body.withUnsafeBytes { processor.body($0) }
        guard case .deliver(let delivery) = processor.finish().action, let rewritten = delivery.body else {
            Issue.record("expected a rewritten body")
            return
        }
        #expect(String(decoding: try rewritten.joined(), as: UTF8.self).contains("http://a.example/f/"))
    }
}

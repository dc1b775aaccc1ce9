import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing
@testable import Tracker
import Tracking
import TrackingRuntime

/// Keys, sealed tokens, a tracker on 127.0.0.1 and a client for it.
struct TrackerFixture: Sendable {
    let keyring: TrackingKeyring
    let events = MemoryEventWriter()
    let core: TrackerCore

    static let logger: Logger = {
        var logger = Logger(label: "tracker-tests")
        logger.logLevel = .error
        return logger
    }()

    init(settings: TrackerSettings = TrackerSettings(), machines: [MachineRule] = [],
         keyring: TrackingKeyring = TrackerFixture.makeKeyring(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.keyring = keyring
        self.core = TrackerCore(keyring: keyring, settings: settings, machines: machines, events: events,
                                logger: Self.logger, now: now)
    }

    static func makeKeyring() -> TrackingKeyring {
        try! TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "test-keys")
    }

    /// A far-future expiry, and one already past.
    static let future: UInt32 = 4_000_000_000
    static let past: UInt32 = 1_000_000_000

    /// Seals a token of a fresh message; `make` gets the sealer's message id.
    func seal(_ make: ([UInt8]) -> TrackingToken) throws -> (text: String, token: TrackingToken) {
        let sealer = TokenSealer(keyring: keyring)
        let token = make(sealer.messageID)
        return (try sealer.seal(token), token)
    }

    func click(
        target: String = "https://shop.example/spring?a=1&b=2", linkName: String = "Spring sale",
        unsubscribe: Bool = false, expiry: UInt32 = TrackerFixture.future, recipient: String? = "jane@example.org"
    ) throws -> (text: String, token: TrackingToken) {
        try seal {
            TrackingToken(kind: .click, targetURL: target, linkName: linkName, unsubscribe: unsubscribe, messageID: $0,
                          recipient: recipient, customerID: "customer-17", campaignID: "spring-2026",
                          metadata: #"{"plan":"gold","seq":42}"#, tags: ["promo", "q2"], expiry: expiry)
        }
    }

    func open(initial: Bool = false, expiry: UInt32 = TrackerFixture.future) throws -> (text: String, token: TrackingToken) {
        try seal {
            TrackingToken(kind: initial ? .initialOpen : .open, messageID: $0, recipient: "jane@example.org",
                          customerID: "customer-17", campaignID: "spring-2026", metadata: #"{"plan":"gold"}"#,
                          tags: ["promo"], expiry: expiry)
        }
    }

    /// The events written so far, parsed.
    var eventObjects: [[String: Any]] {
        events.lines.map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? ["unparsable": line]
        }
    }

    /// Runs the tracker on 127.0.0.1 (a free port) and `body` with a client connected to it.
    func withServer<T: Sendable>(_ body: @Sendable (TrackerClient) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = TrackerServer.makeApplication(
            core: core, listen: ListenAddress(host: "127.0.0.1", port: 0), logger: Self.logger
        ) { address in
            continuation.yield(address.port)
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: Self.logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(20)))
            client.connect()
            do {
                let value = try await body(TrackerClient(client: client, port: port))
                try await client.shutdown()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                try? await client.shutdown()
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }
}

/// A keep-alive HTTP/1.1 client for the tracker under test.
struct TrackerClient: Sendable {
    let client: TestClient
    let port: Int

    func request(_ path: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:]) async throws -> TestClient.Response {
        try await client.execute(TestClient.Request(path, method: method, authority: "127.0.0.1", headers: headers))
    }

    func get(_ path: String, userAgent: String? = nil, forwardedFor: String? = nil) async throws -> TestClient.Response {
        var headers: HTTPFields = [:]
        if let userAgent { headers[.userAgent] = userAgent }
        if let forwardedFor { headers[Names.forwardedFor] = forwardedFor }
        return try await request(path, headers: headers)
    }
}

enum Names {
    static let forwardedFor = HTTPFields.Element.Name("X-Forwarded-For")!
    static let robotsTag = HTTPFields.Element.Name("X-Robots-Tag")!
}

extension TestClient.Response {
    var bodyBytes: [UInt8] { body.map { Array($0.readableBytesView) } ?? [] }
    var bodyText: String { String(decoding: bodyBytes, as: UTF8.self) }
}

/// The token text with one base64url character changed.
func flipOneCharacter(_ text: String, at offset: Int) -> String {
    var chars = Array(text)
    let i = min(max(offset, 0), chars.count - 1)
    chars[i] = chars[i] == "A" ? "B" : "A"
    return String(chars)
}

import AsyncHTTPClient
import Crypto
import Foundation
import Synchronization
import Testing
import TrackingRuntime
@testable import EventShipping

@Suite("WebhookSink against a real HTTP server on 127.0.0.1")
struct WebhookSinkTests {
    static let batch = EventBatch(id: "0123456789abcdef0123456789abcdef", events: [
        WebhookFormatTests.event("click", 1), WebhookFormatTests.event("injection", 2),
    ])

    static func withSink<T: Sendable>(
        _ receiver: TestReceiver, configure: @Sendable (inout WebhookSettings, String) -> Void = { _, _ in },
        _ body: @Sendable (WebhookSink) async throws -> T
    ) async throws -> T {
        try await receiver.run { base in
            var settings = WebhookSettings(name: "test", url: base + "/hook")
            settings.timeoutSeconds = 2
            configure(&settings, base)
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let value = try await body(WebhookSink(settings: settings, client: client, now: { 1_700_000_000 }))
                try await client.shutdown()
                return value
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    @Test("POSTs the wrapped array with the batch id, JSON content type, basic auth, custom headers and a valid signature")
    func headersAndBody() async throws {
        let receiver = TestReceiver()
        try await Self.withSink(receiver, configure: { s, _ in
            s.auth = .basic(username: "hook", password: Secret("pa:ss"))
            s.headers = [WebhookHeader(name: "X-Api-Key", value: Secret("k-1"))]
            s.signingSecret = Secret("sign-me")
        }) { sink in
            try await sink.deliver(Self.batch)
        }
        let request = try #require(receiver.requests.first)
        #expect(receiver.requests.count == 1)
        #expect(request.path == "/hook")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("X-MessageSystems-Batch-ID") == Self.batch.id)
        #expect(request.header("Authorization") == "Basic " + Data("hook:pa:ss".utf8).base64EncodedString())
        #expect(request.header("X-Api-Key") == "k-1")
        #expect(request.body == SparkPostBody.make(Self.batch.events))
        let items = try #require(request.jsonArray)
        #expect(items.count == 2)
        #expect((items[0]["msys"] as? [String: Any])?.keys.first == "track_event")
        #expect((items[1]["msys"] as? [String: Any])?.keys.first == "message_event")
        // Verify as a receiver would (docs/events.md): HMAC-SHA256(secret, timestamp + "." + body).
        let timestamp = try #require(request.header("X-Tracking-Signature-Timestamp"))
        #expect(timestamp == "1700000000")
        let mac = HMAC<SHA256>.authenticationCode(for: Array((timestamp + ".").utf8) + request.body,
                                                  using: SymmetricKey(data: Array("sign-me".utf8)))
        #expect(request.header("X-Tracking-Signature") == WebhookSignature.hex(Array(mac)))
    }

    @Test("no auth and no signature: none of those headers")
    func plain() async throws {
        let receiver = TestReceiver()
        try await Self.withSink(receiver) { sink in try await sink.deliver(Self.batch) }
        let request = try #require(receiver.requests.first)
        #expect(request.header("Authorization") == nil)
        #expect(request.header("X-Tracking-Signature") == nil && request.header("X-Tracking-Signature-Timestamp") == nil)
    }

    @Test("2xx delivers; any other status throws with it", arguments: [200, 201, 204, 299, 301, 400, 404, 429, 500, 503])
    func statuses(code: Int) async throws {
        let receiver = TestReceiver { _, _ in (code, "") }
        let outcome: Result<Void, WebhookError> = try await Self.withSink(receiver) { sink in
            do { try await sink.deliver(Self.batch); return .success(()) } catch let error as WebhookError { return .failure(error) }
        }
        if (200..<300).contains(code) {
            #expect((try? outcome.get()) != nil)
        } else {
            #expect(throws: WebhookError.status(code)) { try outcome.get() }
        }
    }

    @Test("a receiver slower than the timeout is a failure, not a hang")
    func timeout() async throws {
        let receiver = TestReceiver { _, _ in
            Thread.sleep(forTimeInterval: 2.5)
            return (200, "")
        }
        let started = ContinuousClock.now
        await #expect(throws: (any Error).self) {
            try await Self.withSink(receiver, configure: { s, _ in s.timeoutSeconds = 1 }) { sink in try await sink.deliver(Self.batch) }
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a connection refused throws")
    func refused() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var settings = WebhookSettings(name: "x", url: "http://127.0.0.1:1/hook")
        settings.timeoutSeconds = 2
        let sink = WebhookSink(settings: settings, client: client)
        await #expect(throws: (any Error).self) { try await sink.deliver(Self.batch) }
        try await client.shutdown()
    }

    @Test("oauth2: a client-credentials token is fetched once, reused, and refreshed after a 401")
    func oauth2() async throws {
        let revokeFirst = Revoker()
        let receiver2 = TestReceiver { request, _ in
            if request.path == "/token" {
                return (200, #"{"access_token":"tok\#(revokeFirst.issue())","expires_in":3600}"#)
            }
            return (request.header("Authorization") == "Bearer tok1" ? 401 : 200, "")
        }
        try await Self.withSink(receiver2, configure: { s, base in
            s.auth = .oauth2(OAuth2ClientCredentials(tokenURL: base + "/token", clientID: "cli ent", clientSecret: Secret("s&cret"), scope: "events"))
        }) { sink in
            try await sink.deliver(Self.batch)   // tok1 -> 401 -> tok2 -> 200
            try await sink.deliver(Self.batch)   // tok2 reused
        }
        let requests = receiver2.requests
        try #require(requests.count == 5, "\(requests.map(\.path))")
        #expect(requests.map(\.path) == ["/token", "/hook", "/token", "/hook", "/hook"])
        let token = requests[0]
        #expect(token.header("Authorization") == "Basic " + Data("cli+ent:s%26cret".utf8).base64EncodedString())
        #expect(token.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(String(decoding: token.body, as: UTF8.self) == "grant_type=client_credentials&scope=events")
        #expect(requests[1].header("Authorization") == "Bearer tok1")
        #expect(requests[3].header("Authorization") == "Bearer tok2")
        #expect(requests[4].header("Authorization") == "Bearer tok2")
        #expect(requests[1].header("X-MessageSystems-Batch-ID") == requests[3].header("X-MessageSystems-Batch-ID"))
    }

    @Test("oauth2: a token endpoint that refuses is a delivery failure naming it, without the secret")
    func oauth2Refused() async throws {
        let receiver = TestReceiver { request, _ in request.path == "/token" ? (403, "") : (200, "") }
        let error = try await Self.withSink(receiver, configure: { s, base in
            s.auth = .oauth2(OAuth2ClientCredentials(tokenURL: base + "/token", clientID: "c", clientSecret: Secret("zz-secret")))
        }) { sink -> String in
            do { try await sink.deliver(Self.batch); return "" } catch { return "\(error)" }
        }
        #expect(error.contains("403") && !error.contains("zz-secret"))
        #expect(!receiver.requests.contains { $0.path == "/hook" })
    }
}

/// Numbers tokens as the token endpoint issues them.
final class Revoker: Sendable {
    let count = Mutex(0)
    func issue() -> Int { count.withLock { $0 += 1; return $0 } }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TrackingRuntime

/// A SparkPost-compatible webhook endpoint (`events.webhooks[]`): each batch is one POST of a
/// JSON array of `{"msys":{"<category>":{...}}}` objects with `X-MessageSystems-Batch-ID`,
/// authenticated and optionally signed as configured. Any 2xx answer delivers the batch;
/// any other answer, a timeout or a transport error throws, and the shipper retries.
public final class WebhookSink: EventSink {
    public let name: String
    public let settings: WebhookSettings
    private let client: HTTPClient
    private let tokens: OAuth2TokenSource?
    private let now: @Sendable () -> Int

    /// Answers are read up to this much and dropped; the status is what counts.
    static let maxAnswerBytes = 1 << 20

    /// `client` is shared by the shipper's sinks and shut down by its owner; `now` gives Unix
    /// seconds for the signature timestamp.
    public init(settings: WebhookSettings, client: HTTPClient,
                now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.name = "webhook-\(settings.name)"
        self.settings = settings
        self.client = client
        self.now = now
        if case .oauth2(let credentials) = settings.auth {
            tokens = OAuth2TokenSource(credentials: credentials, client: client, timeout: .seconds(Int64(settings.timeoutSeconds)))
        } else {
            tokens = nil
        }
    }

    public func deliver(_ batch: EventBatch) async throws {
        let body = SparkPostBody.make(batch.events)
        var status = try await post(body, batchID: batch.id)
        if status == 401, let tokens {
            // The cached token may have been revoked early: one fresh token, one more try.
            await tokens.invalidate()
            status = try await post(body, batchID: batch.id)
        }
        guard (200..<300).contains(status) else { throw WebhookError.status(status) }
    }

    /// The request a batch becomes, minus the bearer token (public so tests can check headers).
    public func request(body: [UInt8], batchID: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tracking-milter")
        request.headers.add(name: "X-MessageSystems-Batch-ID", value: batchID)
        for header in settings.headers { request.headers.add(name: header.name, value: header.value.value) }
        if case .basic(let username, let password) = settings.auth {
            request.headers.add(name: "Authorization", value: "Basic " + Data("\(username):\(password.value)".utf8).base64EncodedString())
        }
        if let secret = settings.signingSecret {
            let timestamp = now()
            request.headers.add(name: WebhookSignature.timestampHeader, value: "\(timestamp)")
            request.headers.add(name: WebhookSignature.signatureHeader,
                                value: WebhookSignature.sign(body: body, timestamp: timestamp, secret: secret))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    private func post(_ body: [UInt8], batchID: String) async throws -> Int {
        var request = request(body: body, batchID: batchID)
        if let tokens { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer " + (try await tokens.token())) }
        let response = try await client.execute(request, timeout: .seconds(Int64(settings.timeoutSeconds)))
        // Read the answer to its end (bounded) so the connection can be reused.
        var seen = 0
        for try await part in response.body {
            seen += part.readableBytes
            if seen > Self.maxAnswerBytes { break }
        }
        return Int(response.status.code)
    }
}

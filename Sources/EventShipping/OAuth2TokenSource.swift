import AsyncHTTPClient
import Foundation
import NIOCore
import TrackingRuntime

/// Bearer tokens for `auth: oauth2` (client credentials, RFC 6749 section 4.4): fetched
/// when first needed, reused until shortly before `expires_in` runs out, and dropped when
/// the webhook answers 401 so the next request fetches a fresh one.
actor OAuth2TokenSource {
    private let credentials: OAuth2ClientCredentials
    private let client: HTTPClient
    private let timeout: TimeAmount
    private var cached: (token: String, expires: ContinuousClock.Instant?)?

    /// Token answers larger than this are not tokens.
    static let maxResponseBytes = 64 << 10

    init(credentials: OAuth2ClientCredentials, client: HTTPClient, timeout: TimeAmount) {
        self.credentials = credentials
        self.client = client
        self.timeout = timeout
    }

    /// A token that has not expired, fetching one if needed.
    func token() async throws -> String {
        if let cached, cached.expires.map({ ContinuousClock.now < $0 }) ?? true { return cached.token }
        let fetched = try await fetch()
        cached = fetched
        return fetched.token
    }

    /// Forgets the cached token (the endpoint said 401).
    func invalidate() { cached = nil }

    private func fetch() async throws -> (token: String, expires: ContinuousClock.Instant?) {
        var request = HTTPClientRequest(url: credentials.tokenURL)
        request.method = .POST
        // client_secret_basic, which every token endpoint must accept (RFC 6749 2.3.1).
        let pair = "\(Self.formEncode(credentials.clientID)):\(Self.formEncode(credentials.clientSecret.value))"
        request.headers.add(name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        var form = "grant_type=client_credentials"
        if let scope = credentials.scope { form += "&scope=" + Self.formEncode(scope) }
        request.body = .bytes(ByteBuffer(string: form))
        let started = ContinuousClock.now
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: Self.maxResponseBytes)
        guard (200..<300).contains(response.status.code) else {
            throw WebhookError.token("the token endpoint answered HTTP \(response.status.code)")
        }
        let answer: TokenAnswer
        do { answer = try JSONDecoder().decode(TokenAnswer.self, from: Data(body.readableBytesView)) } catch {
            throw WebhookError.token("the token endpoint's answer has no access_token")
        }
        guard !answer.access_token.isEmpty, answer.access_token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw WebhookError.token("the token endpoint's access_token is empty or not printable")
        }
        // Renew a little early: a token must not expire between here and the endpoint.
        let expires = answer.expires_in.map { seconds in
            started + .seconds(max(0, min(seconds, 86400 * 365) - min(60, seconds / 10)))
        }
        return (answer.access_token, expires)
    }

    /// application/x-www-form-urlencoded (as RFC 6749 appendix B asks for client_secret_basic).
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x2A: out.unicodeScalars.append(UnicodeScalar(byte))
            case 0x20: out += "+"
            default: out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

private struct TokenAnswer: Decodable {
    let access_token: String
    let expires_in: Int?
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

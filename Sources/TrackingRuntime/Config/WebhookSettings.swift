/// One entry of `events.webhooks`: a SparkPost-compatible webhook endpoint.
public struct WebhookSettings: Sendable, Equatable {
    /// Names the endpoint in checkpoints, metrics and log lines; unique among webhooks.
    public var name: String
    /// `https://` (or `http://` on loopback) URL the batches are POSTed to.
    public var url: String
    /// How each request authenticates (`auth`).
    public var auth: WebhookAuth = .none
    /// Extra request headers (`headers`), sent as given; a custom-header API key goes here.
    public var headers: [WebhookHeader] = []
    /// When set, every request is signed with HMAC-SHA256 (`signing_secret`).
    public var signingSecret: Secret?
    /// Seconds a request may take before it counts as failed (`timeout`).
    public var timeoutSeconds = 10
    /// Batching, retries and the dead-letter file.
    public var delivery = DeliverySettings()

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}

/// How a webhook request authenticates (`events.webhooks[].auth`).
public enum WebhookAuth: Sendable, Equatable {
    case none
    /// `Authorization: Basic` with `username` and `password`.
    case basic(username: String, password: Secret)
    /// OAuth 2.0 client credentials: a bearer token fetched from `token_url`, cached until it
    /// expires or the endpoint answers 401.
    case oauth2(OAuth2ClientCredentials)

    /// The names `auth:` accepts.
    public enum Kind: String, Sendable, CaseIterable {
        case none, basic, oauth2
    }
}

/// `auth: oauth2`: where and how to get a token (RFC 6749, section 4.4).
public struct OAuth2ClientCredentials: Sendable, Equatable {
    public var tokenURL: String
    public var clientID: String
    public var clientSecret: Secret
    /// Sent as `scope` when set.
    public var scope: String?

    public init(tokenURL: String, clientID: String, clientSecret: Secret, scope: String? = nil) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
    }
}

/// One configured request header.
public struct WebhookHeader: Sendable, Equatable {
    public var name: String
    public var value: Secret

    public init(name: String, value: Secret) {
        self.name = name
        self.value = value
    }
}

/// A password, token or key from the configuration. Its description never shows the value,
/// so a log line or a `dump` of settings cannot leak it.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "(secret)" }
    public var debugDescription: String { "(secret)" }
}

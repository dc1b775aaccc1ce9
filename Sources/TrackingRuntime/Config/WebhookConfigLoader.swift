import Foundation

/// Reads `events.webhooks`: a list of endpoints.
enum WebhookConfigLoader {
    static let keys: Set<String> = Set([
        "name", "url", "auth", "username", "password", "password_file", "token_url", "client_id", "client_secret",
        "client_secret_file", "scope", "headers", "signing_secret", "signing_secret_file", "timeout",
    ]).union(DeliveryConfigLoader.keys)

    /// Headers the webhook sets itself; a configured one would contradict them.
    static let reservedHeaders: Set = [
        "content-type", "content-length", "host", "x-messagesystems-batch-id", "x-tracking-signature",
        "x-tracking-signature-timestamp",
    ]

    static func read(_ node: ConfigNode) throws(ConfigError) -> [WebhookSettings] {
        var out: [WebhookSettings] = []
        for item in try node.sequence() {
            let webhook = try readOne(item, number: out.count + 1)
            guard !out.contains(where: { $0.name == webhook.name }) else {
                throw item.error("a second webhook named \"\(webhook.name)\"; give each a unique name:")
            }
            out.append(webhook)
        }
        return out
    }

    private static func readOne(_ item: ConfigNode, number: Int) throws(ConfigError) -> WebhookSettings {
        let entries = try item.mapping(allowed: keys)
        func value(_ key: String) -> ConfigNode? { entries.first(where: { $0.name == key })?.value }
        guard let url = value("url") else {
            throw item.error("a webhook needs url: such as https://hooks.example.com/sparkpost")
        }
        let name = try value("name")?.nonEmptyString() ?? "webhook\(number)"
        guard name.utf8.count <= 64, name.utf8.allSatisfy({ isNameByte($0) }) else {
            throw (value("name") ?? item).error("a webhook name is up to 64 letters, digits, '-' and '_' (it names files and metric labels)")
        }
        var webhook = WebhookSettings(name: name, url: try httpURL(url))
        webhook.auth = try readAuth(item, entries: entries)
        if let headers = value("headers") { webhook.headers = try readHeaders(headers) }
        webhook.signingSecret = try SecretConfig.read(entries, key: "signing_secret", in: item)
        if let timeout = value("timeout") { webhook.timeoutSeconds = try timeout.integer(in: 1...300) }
        webhook.delivery = try DeliveryConfigLoader.read(entries, in: item)
        return webhook
    }

    private static func readAuth(_ item: ConfigNode, entries: [(name: String, value: ConfigNode)]) throws(ConfigError) -> WebhookAuth {
        let kind = try entries.first(where: { $0.name == "auth" })?.value.choice(WebhookAuth.Kind.self) ?? .none
        let basicKeys: Set = ["username", "password", "password_file"]
        let oauthKeys: Set = ["token_url", "client_id", "client_secret", "client_secret_file", "scope"]
        let allowed: Set<String> = kind == .basic ? basicKeys : kind == .oauth2 ? oauthKeys : []
        for (name, value) in entries where basicKeys.union(oauthKeys).contains(name) && !allowed.contains(name) {
            throw value.error("\(name) belongs to auth: \(basicKeys.contains(name) ? "basic" : "oauth2"), but this webhook has auth: \(kind.rawValue)")
        }
        func required(_ key: String, _ example: String) throws(ConfigError) -> String {
            guard let node = entries.first(where: { $0.name == key })?.value else {
                throw item.error("auth: \(kind.rawValue) needs \(key): \(example)")
            }
            return try node.nonEmptyString()
        }
        func requiredSecret(_ key: String) throws(ConfigError) -> Secret {
            guard let secret = try SecretConfig.read(entries, key: key, in: item) else {
                throw item.error("auth: \(kind.rawValue) needs \(key): or \(key)_file: (a file holding it, kept out of this one)")
            }
            return secret
        }
        switch kind {
        case .none:
            return .none
        case .basic:
            let username = try required("username", "the user name the endpoint expects")
            guard !username.contains(":") else {
                throw item.error("a basic-auth username cannot contain ':' (RFC 7617)")
            }
            return .basic(username: username, password: try requiredSecret("password"))
        case .oauth2:
            guard let tokenNode = entries.first(where: { $0.name == "token_url" })?.value else {
                throw item.error("auth: oauth2 needs token_url: such as https://auth.example.com/oauth/token")
            }
            let tokenURL = try httpURL(tokenNode)
            return .oauth2(OAuth2ClientCredentials(
                tokenURL: tokenURL, clientID: try required("client_id", "the client id the token endpoint knows"),
                clientSecret: try requiredSecret("client_secret"),
                scope: try entries.first(where: { $0.name == "scope" })?.value.nonEmptyString()))
        }
    }

    private static func readHeaders(_ node: ConfigNode) throws(ConfigError) -> [WebhookHeader] {
        var headers: [WebhookHeader] = []
        for (name, value) in try node.mapping() {
            guard !name.isEmpty, name.utf8.allSatisfy({ isTokenByte($0) }) else {
                throw value.error("\"\(name)\" is not a valid header name")
            }
            guard !reservedHeaders.contains(name.lowercased()) else {
                throw value.error("\(name) is set by the webhook itself and cannot be configured")
            }
            let text = try value.string()
            guard !text.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) else {
                throw value.error("a header value cannot contain control characters (line breaks)")
            }
            headers.append(WebhookHeader(name: name, value: Secret(text)))
        }
        return headers
    }

    private static func httpURL(_ node: ConfigNode) throws(ConfigError) -> String {
        let text = try node.nonEmptyString()
        guard text.hasPrefix("https://") || text.hasPrefix("http://") else {
            throw node.error("\"\(text)\" is not an http(s) URL")
        }
        return text
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        isNameByte(byte) || Array("!#$%&'*+.^`|~".utf8).contains(byte)
    }
}

/// Reads the delivery keys every sink shares (batching, retries, dead letter), so the
/// PostgreSQL sink's section can accept the same ones.
enum DeliveryConfigLoader {
    static let keys: Set = [
        "batch_max_events", "batch_max_bytes", "batch_max_seconds", "backoff_initial_seconds", "backoff_max_seconds",
        "max_retry_seconds", "dead_letter",
    ]

    static func read(_ entries: [(name: String, value: ConfigNode)], in node: ConfigNode) throws(ConfigError) -> DeliverySettings {
        var d = DeliverySettings()
        for (name, value) in entries {
            switch name {
            case "batch_max_events": d.batchMaxEvents = try value.integer(in: 1...100_000)
            case "batch_max_bytes": d.batchMaxBytes = try value.integer(in: 1024...(64 << 20))
            case "batch_max_seconds": d.batchMaxSeconds = try value.integer(in: 0...3600)
            case "backoff_initial_seconds": d.backoffInitialSeconds = try value.integer(in: 1...3600)
            case "backoff_max_seconds": d.backoffMaxSeconds = try value.integer(in: 1...86400)
            case "max_retry_seconds": d.maxRetrySeconds = try value.integer(in: 1...(30 * 86400))
            case "dead_letter": d.deadLetter = ConfigLoader.resolve(try value.nonEmptyString(), relativeTo: node.file)
            default: break
            }
        }
        guard d.backoffInitialSeconds <= d.backoffMaxSeconds else {
            throw node.error("backoff_initial_seconds (\(d.backoffInitialSeconds)) must be at most backoff_max_seconds (\(d.backoffMaxSeconds))")
        }
        return d
    }
}

/// A secret given inline (`KEY:`) or, kept out of the configuration, in a file (`KEY_file:`,
/// its first line; readable by the service only).
enum SecretConfig {
    static func read(_ entries: [(name: String, value: ConfigNode)], key: String, in node: ConfigNode) throws(ConfigError) -> Secret? {
        let inline = entries.first(where: { $0.name == key })?.value
        let file = entries.first(where: { $0.name == key + "_file" })?.value
        switch (inline, file) {
        case (nil, nil):
            return nil
        case (let inline?, nil):
            return Secret(try inline.nonEmptyString())
        case (nil, let file?):
            let path = ConfigLoader.resolve(try file.nonEmptyString(), relativeTo: node.file)
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw file.error("cannot read \(path): \(error.localizedDescription); create it (mode 0600) holding the \(key)")
            }
            let value = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !value.isEmpty else { throw file.error("\(path) is empty; put the \(key) on its first line") }
            return Secret(value.hasSuffix("\r") ? String(value.dropLast()) : value)
        case (_, let file?):
            throw file.error("give \(key): or \(key)_file:, not both")
        }
    }
}

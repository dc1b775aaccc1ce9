import Tracking

/// The `tracker:` section: the HTTP tracker that answers tracked URLs (`tracking-milter tracker`).
public struct TrackerSettings: Sendable {
    /// Where the tracker listens; the default matches the default `tracking_domain`.
    public var listen = ListenAddress(host: "127.0.0.1", port: 8080)
    /// Peers whose `X-Forwarded-For` is believed (a TLS-terminating proxy in front).
    public var trustedProxies: [IPNetwork] = []
    /// Where event lines go: `-` is standard output, anything else a file appended to.
    public var eventsFile = TrackerSettings.standardOutput
    /// The machine classification data (`deploy/machines.yaml`); nil uses the built-in copy.
    public var machinesFile: String?
    /// Clicks per minute one client address may make before it gets `403`; 0 switches it off.
    public var clickRateLimit = 60
    /// How many client addresses the rate limiters remember at most.
    public var rateLimitClients = 100_000
    /// Opens per minute one client address may record; past it the pixel is still served
    /// but no event is written (a flood must not fill the events file). 0 switches it off.
    public var openRateLimit = 600
    /// Seconds an idle HTTP connection is kept open.
    public var idleTimeout = 60
    /// Serve `/metrics` here instead of on `listen` (keep it off the public address).
    public var metricsListen: ListenAddress?

    /// `events_file` value meaning standard output.
    public static let standardOutput = "-"

    public init() {}

    /// Whether events go to standard output rather than a file.
    public var eventsToStandardOutput: Bool { eventsFile == Self.standardOutput }
}

/// `host:port` or `[ipv6]:port` for a listening socket (the tracker, a metrics endpoint).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:80` or `localhost:8080`.
    init(parsing text: String) throws(Invalid) {
        let hint = "expected HOST:PORT such as 127.0.0.1:8080 or [::1]:8080, got \"\(text)\""
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw Invalid(description: hint) }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw Invalid(description: hint) }
            portText = rest.dropFirst()
            guard IPNetwork(String(host)) != nil, host.contains(":") else {
                throw Invalid(description: "\"\(host)\" is not an IPv6 address")
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw Invalid(description: hint) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.isEmpty, HostPort.isValid(String(host)) else { throw Invalid(description: hint) }
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw Invalid(description: "the port must be 1 to 65535; \(hint)")
        }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

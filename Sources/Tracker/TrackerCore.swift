import EventSpool
import Foundation
import Hummingbird
import Logging
import Synchronization
import Tracking
import TrackingRuntime

/// Everything the tracker decides, independent of the server around it: which route a
/// request is, whether its token opens, what to answer, and which event to write.
public final class TrackerCore: Sendable {
    /// What a reload replaces, together: keys, trusted proxies, machine rules.
    private struct Reloadable: Sendable {
        var keyring: TrackingKeyring
        var resolver: ClientAddressResolver
        var classifier: MachineClassifier
    }

    private let reloadable: Mutex<Reloadable>
    let limiter: ClickRateLimiter
    let openLimiter: ClickRateLimiter
    /// Whether `/metrics` is on the main listener (no `tracker.metrics_listen`).
    let servesMetrics: Bool
    let events: any EventWriter
    /// The event spool (`events.spool`), which gets every event the events file gets.
    let spool: SpoolWriter?
    let metrics: TrackerMetrics
    let logger: Logger
    private let now: @Sendable () -> Date

    /// The longest target a click redirects to; longer ones are refused with `404`.
    public static let maxTargetLength = 4096

    /// - Parameters:
    ///   - settings: the `tracker:` section.
    ///   - machines: the machine classification rules.
    ///   - spool: the event spool, when `events.spool` is set.
    ///   - now: wall-clock time, for expiry and event timestamps.
    ///   - monotonicSeconds: the rate limiter's clock.
    public init(
        keyring: TrackingKeyring,
        settings: TrackerSettings,
        machines: [MachineRule],
        events: any EventWriter,
        spool: SpoolWriter? = nil,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() },
        monotonicSeconds: @escaping @Sendable () -> Double = TrackerClock.monotonicSeconds
    ) {
        self.reloadable = Mutex(Reloadable(
            keyring: keyring, resolver: ClientAddressResolver(trustedProxies: IPRangeSet(settings.trustedProxies)),
            classifier: MachineClassifier(rules: machines)))
        self.limiter = ClickRateLimiter(perMinute: settings.clickRateLimit, capacity: settings.rateLimitClients, now: monotonicSeconds)
        self.openLimiter = ClickRateLimiter(perMinute: settings.openRateLimit, capacity: settings.rateLimitClients, now: monotonicSeconds)
        self.servesMetrics = settings.metricsListen == nil
        self.events = events
        self.spool = spool
        self.metrics = TrackerMetrics(spool: spool)
        self.logger = logger
        self.now = now
    }

    /// Replaces the machine rules (SIGHUP); requests in flight finish with the old ones.
    public func replaceMachines(_ rules: [MachineRule]) {
        let compiled = MachineClassifier(rules: rules)
        reloadable.withLock { $0.classifier = compiled }
    }

    /// The number of machine rules in force.
    public var machineRuleCount: Int { reloadable.withLock { $0.classifier.ruleCount } }

    /// Replaces the keys and trusted proxies (reload); requests in flight finish with the old ones.
    public func replace(keyring: TrackingKeyring, settings: TrackerSettings) {
        let resolver = ClientAddressResolver(trustedProxies: IPRangeSet(settings.trustedProxies))
        reloadable.withLock {
            $0.keyring = keyring
            $0.resolver = resolver
        }
    }

    private var keyring: TrackingKeyring { reloadable.withLock { $0.keyring } }

    /// Client addresses the rate limiters remember now.
    public var rateLimitedClients: Int { limiter.trackedAddresses + openLimiter.trackedAddresses }

    /// Puts the rate limiters' sizes and the event writer's counts into the metrics.
    public func updateGauges() {
        metrics.update(rateLimitClients: rateLimitedClients, events: events.status)
    }

    /// A click on `/f/{sublink}/{token}`: the redirect (recorded unless expired), or why not.
    public func click(_ text: Substring, headers: HTTPFields, peer: () -> String?) -> (TrackerOutcome, Response) {
        var client: ClientIP?
        if limiter.isEnabled {
            client = clientAddress(headers: headers, peer: peer)
            if let client, !limiter.allow(client.bytes) {
                logger.debug("click rate limit reached", metadata: ["client": "\(client)"])
                return (.rateLimited, Responses.tooManyClicks())
            }
        }
        let token: TrackingToken
        do {
            token = try TrackingToken.open(text, with: keyring)
        } catch {
            logger.debug("click token refused", metadata: ["reason": "\(error)"])
            return (.invalid, Responses.notFound())
        }
        guard token.kind == .click else {
            logger.debug("click token refused", metadata: ["reason": "an open token on /f/"])
            return (.invalid, Responses.notFound())
        }
        guard let location = Self.redirectLocation(token.targetURL) else {
            logger.debug("click target refused", metadata: ["reason": "not an http(s) URL of at most \(Self.maxTargetLength) bytes"])
            return (.refused, Responses.notFound())
        }
        let time = now()
        if token.isExpired(now: time) { return (.expired, Responses.redirect(to: location)) }
        record(token, time: time, headers: headers, client: client ?? clientAddress(headers: headers, peer: peer))
        return (.redirected, Responses.redirect(to: location))
    }

    /// An open on `/q/{token}`: always the pixel; recorded when the token is a valid open.
    public func open(_ text: Substring, headers: HTTPFields, peer: () -> String?) -> (TrackerOutcome, Response) {
        let token: TrackingToken
        do {
            token = try TrackingToken.open(text, with: keyring)
        } catch {
            logger.debug("open token refused", metadata: ["reason": "\(error)"])
            return (.invalid, Responses.pixel())
        }
        guard token.kind != .click else { return (.notAnOpen, Responses.pixel()) }
        let time = now()
        if token.isExpired(now: time) { return (.expired, Responses.pixel()) }
        let client = clientAddress(headers: headers, peer: peer)
        // A flood of opens from one address still gets the pixel (never a broken image),
        // but writes no more events than a person could cause.
        if openLimiter.isEnabled, let client, !openLimiter.allow(client.bytes) { return (.rateLimited, Responses.pixel()) }
        record(token, time: time, headers: headers, client: client)
        return (.recorded, Responses.pixel())
    }

    private func record(_ token: TrackingToken, time: Date, headers: HTTPFields, client: ClientIP?) {
        let userAgent = headers[.userAgent]
        let type = token.eventType
        let machine = reloadable.withLock { $0.classifier }.classify(userAgent: userAgent, client: client, eventType: type)
        let event = TrackerEvent(
            token: token, id: .random(), time: time, userAgent: userAgent, ipAddress: client?.description, machine: machine)
        let line = event.lineBytes
        // Both before the answer: a process crash after the redirect loses no event.
        events.write(lineWithNewline: line)
        spool?.append(line)
        metrics.event(type: type, machine: machine)
    }

    private func clientAddress(headers: HTTPFields, peer: () -> String?) -> ClientIP? {
        var forwarded: [String] = []
        for field in headers where field.name.canonicalName == "x-forwarded-for" {
            forwarded.append(field.value)
        }
        return reloadable.withLock { $0.resolver }.resolve(peer: peer(), forwardedFor: forwarded)
    }

    /// The `Location` for a sealed target, or nil when it must not be redirected to: only
    /// `http://` and `https://` URLs with a host, at most `maxTargetLength` bytes, without
    /// control characters. Spaces, non-ASCII bytes and the few characters a URL may not
    /// carry raw are percent-encoded, as a browser would do with the same link.
    static func redirectLocation(_ target: String) -> String? {
        let bytes = Array(target.utf8)
        guard bytes.count <= maxTargetLength else { return nil }
        let schemeLength: Int
        if Self.hasPrefix(bytes, "https://") {
            schemeLength = 8
        } else if Self.hasPrefix(bytes, "http://") {
            schemeLength = 7
        } else {
            return nil
        }
        guard bytes.count > schemeLength else { return nil }
        switch bytes[schemeLength] {
        case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "@"): return nil
        default: break
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case 0..<0x20, 0x7F: return nil
            case 0x20, 0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x80...0xFF:
                Hex.appendPercentEncoded(byte, to: &out)
            default:
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Case-insensitive ASCII prefix test.
    private static func hasPrefix(_ bytes: [UInt8], _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return prefix.withUTF8Buffer { p in
            (0..<count).allSatisfy { i in
                let b = bytes[i]
                return (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) == p[i]
            }
        }
    }
}

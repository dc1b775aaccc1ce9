import Hummingbird

/// Hummingbird's request context plus the TCP peer's address.
public struct TrackerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's numeric address (`192.0.2.1`, `::1`), nil when unknown (tests without a socket).
    public let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The tracker reads no request bodies.
    public var maxUploadSize: Int { 0 }
}

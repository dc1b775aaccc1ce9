import Hummingbird
import Tracking

/// Hummingbird's request context plus the TCP peer's address.
public struct TrackerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    private let remoteAddress: @Sendable () -> String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        let channel = source.channel
        remoteAddress = { channel.remoteAddress?.ipAddress }
    }

    /// The peer's numeric address (`192.0.2.1`, `::1`), nil when unknown (tests without a
    /// socket). Read only when a hit needs it: most requests never ask.
    public var peerAddress: String? { remoteAddress() }

    /// The one body the tracker reads is a one-click unsubscribe form, read with its own bound.
    public var maxUploadSize: Int { OneClickForm.maxBodyBytes }
}

/// The configuration layer of the tracking settings (SPEC §2.1), with Momentum's defaults.
public struct TrackingOptions: Sendable, Equatable {
    public var openTrackingEnabled = false
    public var clickTrackingEnabled = false
    public var openTrackingScheme: URLScheme = .http
    public var clickTrackingScheme: URLScheme = .http
    /// `host[:port]` of the generated URLs.
    public var trackingDomain = TrackingOptions.defaultTrackingDomain
    /// Seconds from sending until a tracked URL stops recording events.
    public var trackingLinkExpiry = 31_536_000
    /// Whether metadata goes into click URLs (open URLs always carry it).
    public var clickTrackingIncludeMetadata = true
    /// Bytes of serialized metadata kept in a URL.
    public var maxMetadataLength = 1000
    /// Where open pixels go in the first HTML part.
    public var openPixelPlacement: OpenPixelPlacement = .both
    /// Whether tracked mail gets RFC 8058 one-click `List-Unsubscribe` fields.
    public var listUnsubscribe: ListUnsubscribeMode = .off

    public static let defaultTrackingDomain = "localhost:8080"

    public init() {}
}

/// The scheme of generated tracking URLs.
public enum URLScheme: String, Sendable, CaseIterable {
    case http, https
}

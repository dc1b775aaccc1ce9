/// The tracking settings in force for one recipient of one message, after every layer
/// (config, then the X-MSYS-API header, then policy) has been applied (SPEC §2.4).
public struct ResolvedTracking: Sendable, Equatable {
    public var openTracking: Bool
    public var clickTracking: Bool
    public var openScheme: URLScheme
    public var clickScheme: URLScheme
    public var trackingDomain: String
    public var linkExpiry: Int
    public var campaignID: String?
    public var metadata: JSONObject?
    public var tags: [String]
    public var customerID: String?

    /// Whether the body needs rewriting for this recipient at all.
    public var tracksAnything: Bool { openTracking || clickTracking }
}

extension ResolvedTracking {
    /// Config, then header: the header's fields override the configuration's where present.
    /// Scheme, domain and expiry have no header field.
    public static func resolve(options: TrackingOptions, header: APIHeader?, customerID: String?) -> ResolvedTracking {
        ResolvedTracking(
            openTracking: header?.openTracking ?? options.openTrackingEnabled,
            clickTracking: header?.clickTracking ?? options.clickTrackingEnabled,
            openScheme: options.openTrackingScheme,
            clickScheme: options.clickTrackingScheme,
            trackingDomain: options.trackingDomain,
            linkExpiry: options.trackingLinkExpiry,
            campaignID: header?.campaignID,
            metadata: header?.metadata,
            tags: header?.tags ?? [],
            customerID: customerID
        )
    }
}

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
    /// Per field: the policy's value if a rule set it, else the header's, else the
    /// configuration's. Scheme, domain and expiry have no header field; policy metadata and
    /// tags replace the header's rather than merging with them.
    public static func resolve(
        options: TrackingOptions, header: APIHeader?, policy: PolicyValues = PolicyValues(), customerID: String?
    ) -> ResolvedTracking {
        ResolvedTracking(
            openTracking: policy.openTracking ?? header?.openTracking ?? options.openTrackingEnabled,
            clickTracking: policy.clickTracking ?? header?.clickTracking ?? options.clickTrackingEnabled,
            openScheme: policy.openScheme ?? options.openTrackingScheme,
            clickScheme: policy.clickScheme ?? options.clickTrackingScheme,
            trackingDomain: policy.trackingDomain ?? options.trackingDomain,
            linkExpiry: policy.linkExpiry ?? options.trackingLinkExpiry,
            campaignID: policy.campaignID ?? header?.campaignID,
            metadata: policy.metadata ?? header?.metadata,
            tags: policy.tags ?? header?.tags ?? [],
            customerID: policy.customerID ?? customerID
        )
    }
}

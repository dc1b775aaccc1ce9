/// The tracking fields of a message's X-MSYS-API header (SPEC §2.2).
public struct APIHeader: Sendable, Equatable {
    /// The header field name; callers match it case-insensitively.
    public static let name = "X-MSYS-API"
    /// Longest `campaign_id` accepted, in UTF-8 bytes (Momentum's limit).
    public static let maxCampaignIDBytes = 64
    /// Tags beyond this many are dropped silently.
    public static let maxTags = 10

    public var campaignID: String?
    public var metadata: JSONObject?
    /// At most `maxTags` entries.
    public var tags: [String]?
    public var openTracking: Bool?
    public var clickTracking: Bool?
    /// `options.transactional`: transactional mail gets no `List-Unsubscribe` fields.
    public var transactional: Bool?
    /// SparkPost-only fields that were present and are ignored, dotted and sorted
    /// (e.g. `["cc", "options.ip_pool"]`), for the log line.
    public var ignoredSparkPostFields: [String]
    /// Other fields that were present and are ignored, dotted and sorted (e.g. `options.foo`).
    public var unknownFields: [String]

    public init(
        campaignID: String? = nil,
        metadata: JSONObject? = nil,
        tags: [String]? = nil,
        openTracking: Bool? = nil,
        clickTracking: Bool? = nil,
        transactional: Bool? = nil,
        ignoredSparkPostFields: [String] = [],
        unknownFields: [String] = []
    ) {
        self.campaignID = campaignID
        self.metadata = metadata
        self.tags = tags
        self.openTracking = openTracking
        self.clickTracking = clickTracking
        self.transactional = transactional
        self.ignoredSparkPostFields = ignoredSparkPostFields
        self.unknownFields = unknownFields
    }
}

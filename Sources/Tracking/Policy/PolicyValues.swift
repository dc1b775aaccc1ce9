/// The context variables a policy rule sets (SPEC §2.3), with Momentum's names. Each is
/// optional: only what a rule sets overrides the header and the configuration.
public struct PolicyValues: Sendable, Equatable {
    public var campaignID: String?
    public var clickTracking: Bool?
    public var openTracking: Bool?
    public var clickScheme: URLScheme?
    public var openScheme: URLScheme?
    public var trackingDomain: String?
    public var linkExpiry: Int?
    public var metadata: JSONObject?
    public var tags: [String]?
    public var customerID: String?

    public init() {}

    /// Every variable a rule may set, as Momentum names it.
    public static let variables = [
        "smtpapi_campaign_id", "smtpapi_click_tracking", "smtpapi_open_tracking", "smtpapi_click_tracking_scheme",
        "smtpapi_open_tracking_scheme", "smtpapi_tracking_domain", "smtpapi_tracking_link_expiry",
        "smtpapi_metadata", "smtpapi_tags", "mo_customer_id",
    ]

    /// Sets one variable from its string value, checking it as Momentum's smtpapi module would.
    public mutating func set(_ variable: String, to value: String) throws(PolicyValueError) {
        switch variable {
        case "smtpapi_campaign_id":
            guard value.utf8.count <= APIHeader.maxCampaignIDBytes else {
                throw PolicyValueError("smtpapi_campaign_id context is limited to \(APIHeader.maxCampaignIDBytes) bytes")
            }
            campaignID = value
        case "smtpapi_click_tracking": clickTracking = try Self.flag(variable, value)
        case "smtpapi_open_tracking": openTracking = try Self.flag(variable, value)
        case "smtpapi_click_tracking_scheme": clickScheme = try Self.scheme(variable, value)
        case "smtpapi_open_tracking_scheme": openScheme = try Self.scheme(variable, value)
        case "smtpapi_tracking_domain":
            guard HostPort.isValid(value) else {
                throw PolicyValueError("\(variable) must be host[:port] such as track.example.com, got \"\(value)\"")
            }
            trackingDomain = value
        case "smtpapi_tracking_link_expiry":
            guard let seconds = Int(value), seconds > 0 else {
                throw PolicyValueError("\(variable) must be a positive number of seconds, got \"\(value)\"")
            }
            linkExpiry = seconds
        case "smtpapi_metadata":
            guard case .object(let object)? = try? JSONValue(parsing: value) else {
                throw PolicyValueError("\(variable) must be JSON object text such as {\"key\": \"value\"}")
            }
            metadata = object
        case "smtpapi_tags":
            guard case .array(let items)? = try? JSONValue(parsing: value) else {
                throw PolicyValueError("\(variable) must be JSON array text such as [\"cat\", \"dog\"]")
            }
            var strings: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw PolicyValueError("\(variable) entries must be strings") }
                strings.append(s)
            }
            tags = Array(strings.prefix(APIHeader.maxTags))
        case "mo_customer_id":
            guard !value.isEmpty else { throw PolicyValueError("mo_customer_id must not be empty") }
            customerID = value
        default:
            throw PolicyValueError("unknown context variable \"\(variable)\"; known: \(Self.variables.joined(separator: ", "))")
        }
    }

    /// `other`'s values where it has them, else these: a later rule overrides field by field.
    public func overridden(by other: PolicyValues) -> PolicyValues {
        var r = self
        r.campaignID = other.campaignID ?? campaignID
        r.clickTracking = other.clickTracking ?? clickTracking
        r.openTracking = other.openTracking ?? openTracking
        r.clickScheme = other.clickScheme ?? clickScheme
        r.openScheme = other.openScheme ?? openScheme
        r.trackingDomain = other.trackingDomain ?? trackingDomain
        r.linkExpiry = other.linkExpiry ?? linkExpiry
        r.metadata = other.metadata ?? metadata
        r.tags = other.tags ?? tags
        r.customerID = other.customerID ?? customerID
        return r
    }

    private static func flag(_ variable: String, _ value: String) throws(PolicyValueError) -> Bool {
        switch value {
        case "1", "true": return true
        case "0", "false": return false
        default: throw PolicyValueError("\(variable) must be \"1\", \"0\", \"true\" or \"false\", got \"\(value)\"")
        }
    }

    private static func scheme(_ variable: String, _ value: String) throws(PolicyValueError) -> URLScheme {
        guard let scheme = URLScheme(rawValue: value) else {
            throw PolicyValueError("\(variable) must be http or https, got \"\(value)\"")
        }
        return scheme
    }
}

/// A policy value that cannot be used, with what is expected.
public struct PolicyValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

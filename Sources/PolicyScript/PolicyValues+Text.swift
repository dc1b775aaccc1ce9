import Tracking

extension PolicyValues {
    /// A variable's value as context-variable text (flags as "1"/"0", JSON as JSON text),
    /// or nil when it is not set: what a script reads for a value a rule set.
    func text(of variable: String) -> String? {
        switch variable {
        case "smtpapi_campaign_id": return campaignID
        case "smtpapi_click_tracking": return clickTracking.map { $0 ? "1" : "0" }
        case "smtpapi_open_tracking": return openTracking.map { $0 ? "1" : "0" }
        case "smtpapi_click_tracking_scheme": return clickScheme?.rawValue
        case "smtpapi_open_tracking_scheme": return openScheme?.rawValue
        case "smtpapi_tracking_domain": return trackingDomain
        case "smtpapi_tracking_link_expiry": return linkExpiry.map(String.init)
        case "smtpapi_metadata": return metadata.map { JSONValue.object($0).jsonText }
        case "smtpapi_tags": return tags.map { JSONValue.array($0.map(JSONValue.string)).jsonText }
        case "mo_customer_id": return customerID
        default: return nil
        }
    }

    /// The values every one of `list` agrees on, else `base`'s. A shared body has one set
    /// of values, so a script's value applies only when it set it alike for every recipient,
    /// as a rule's recipient condition must hold for every recipient.
    static func agreed(_ list: [PolicyValues], else base: PolicyValues) -> PolicyValues {
        guard var result = list.first else { return base }
        if list.count == 1 { return result }
        func settle<T: Equatable>(_ field: WritableKeyPath<PolicyValues, T>) {
            if list.contains(where: { $0[keyPath: field] != result[keyPath: field] }) { result[keyPath: field] = base[keyPath: field] }
        }
        settle(\.campaignID)
        settle(\.clickTracking)
        settle(\.openTracking)
        settle(\.clickScheme)
        settle(\.openScheme)
        settle(\.trackingDomain)
        settle(\.linkExpiry)
        settle(\.metadata)
        settle(\.tags)
        settle(\.customerID)
        return result
    }
}

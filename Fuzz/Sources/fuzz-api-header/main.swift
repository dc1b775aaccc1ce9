// The X-MSYS-API header parser (SPEC §2.2): unfolding, RFC 2047 words, JSON, field checks.
// A NUL byte in the input separates several header values (a message with duplicates).
import FuzzSupport
import Tracking

let handledFields: Set<String> = ["campaign_id", "metadata", "tags", "options", "options.open_tracking", "options.click_tracking"]
let sparkPostTop: Set<String> = ["cc", "bcc", "archive", "sandbox", "skip_suppression", "ip_pool", "inline_css", "smart_send"]

runFuzzer { data in
    let values = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    checkUnfolding(values[0])

    let first = Result { () throws(APIHeaderError) in try APIHeader.parse(values) }
    let again = Result { () throws(APIHeaderError) in try APIHeader.parse(values) }
    require(first == again, "parsing the same values twice gave different results")

    switch first {
    case .failure(let error):
        checkError(error)
        if values.count > 1 { require(error.kind == .duplicateHeader, "several values must be a duplicate error, got \(error)") }
    case .success(nil):
        require(false, "non-empty values parsed to no header")
    case .success(let header?):
        require(values.count == 1, "several values were accepted")
        checkBounds(header)
        checkReparse(header)
    }
}

/// Unfolding is one pass (RFC 5322 §2.2.3): it removes line breaks that are followed by
/// white space and nothing else. One pass is not idempotent (`LF LF TAB` leaves `LF TAB`),
/// so that is not asked.
func checkUnfolding(_ value: String) {
    let unfolded = HeaderUnfolding.unfold(value)
    let isBreak = { (byte: UInt8) in byte == 0x0A || byte == 0x0D }
    require(unfolded.utf8.filter { !isBreak($0) } == value.utf8.filter { !isBreak($0) }, "unfolding removed more than line breaks")
    let hasFold = value.utf8.indices.contains { i in
        let next = value.utf8.index(after: i)
        return isBreak(value.utf8[i]) && next < value.utf8.endIndex && (value.utf8[next] == 0x20 || value.utf8[next] == 0x09)
    }
    if !hasFold { require(unfolded == value, "a value without folds changed") }
}

func checkError(_ error: APIHeaderError) {
    require(error.code == "550" && error.enhancedCode == "5.6.0", "error without Momentum's code: \(error)")
    let text = error.replyText
    require(!text.isEmpty, "empty reply text for \(error.kind)")
    require(text.unicodeScalars.count <= 400, "reply text longer than 400 characters")
    require(text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value <= 0x7E },
            "reply text not printable ASCII: \(text)")
    require(error.description == "550 5.6.0 " + text, "description is not code + reply text")
}

func checkBounds(_ header: APIHeader) {
    if let tags = header.tags { require(tags.count <= APIHeader.maxTags, "\(tags.count) tags kept") }
    if let campaign = header.campaignID {
        require(campaign.utf8.count <= APIHeader.maxCampaignIDBytes, "campaign_id of \(campaign.utf8.count) bytes")
    }
    require(header.ignoredSparkPostFields == header.ignoredSparkPostFields.sorted(), "ignored fields not sorted")
    require(header.unknownFields == header.unknownFields.sorted(), "unknown fields not sorted")
    for field in header.ignoredSparkPostFields {
        let name = field.hasPrefix("options.") ? String(field.dropFirst("options.".count)) : field
        let known = sparkPostTop.contains(name)
        require(known, "'\(field)' reported as a SparkPost field")
    }
    // Dotted names are ambiguous (a top-level key may itself be "options.open_tracking"), so
    // only undotted ones can be checked against the handled fields.
    for field in header.ignoredSparkPostFields + header.unknownFields where !field.contains(".") {
        require(!handledFields.contains(field), "handled field '\(field)' reported as ignored")
    }
    require(Set(header.ignoredSparkPostFields).isDisjoint(with: header.unknownFields), "a field is both ignored and unknown")
}

/// The accepted fields written back as JSON must parse to the same header.
func checkReparse(_ header: APIHeader) {
    var object: JSONObject = [:]
    if let campaign = header.campaignID { object["campaign_id"] = .string(campaign) }
    if let metadata = header.metadata { object["metadata"] = .object(metadata) }
    if let tags = header.tags { object["tags"] = .array(tags.map(JSONValue.string)) }
    var options: JSONObject = [:]
    if let open = header.openTracking { options["open_tracking"] = .bool(open) }
    if let click = header.clickTracking { options["click_tracking"] = .bool(click) }
    if let transactional = header.transactional { options["transactional"] = .bool(transactional) }
    if !options.isEmpty { object["options"] = .object(options) }
    let text = JSONValue.object(object).jsonText
    // Text that still holds an encoded-word would be decoded a second time: not the same input.
    guard !text.contains("=?") else { return }
    do {
        let reparsed = try APIHeader.parse([text])
        var expected = header
        expected.ignoredSparkPostFields = []
        expected.unknownFields = []
        require(reparsed == expected, "re-serialized header parses differently: \(text)")
    } catch {
        require(false, "re-serialized header \(text) fails: \(error)")
    }
}

extension APIHeader {
    /// Fields SparkPost's header knows but a milter cannot act on, at the top level or
    /// under `options`; they are accepted so that mail written for SparkPost still goes through.
    static let sparkPostOnlyFields: Set<String> = [
        "cc", "bcc", "archive", "sandbox", "skip_suppression", "ip_pool", "inline_css", "smart_send",
    ]
    /// The `options` fields the milter acts on.
    static let handledOptions: Set<String> = ["open_tracking", "click_tracking", "transactional"]

    /// Parses the X-MSYS-API header of a message.
    ///
    /// - Parameter values: the raw (possibly folded) value of every X-MSYS-API header in the message.
    /// - Returns: nil when there is none.
    /// - Throws: when there is more than one, or the value is not a valid header.
    public static func parse(_ values: [String]) throws(APIHeaderError) -> APIHeader? {
        guard let raw = values.first else { return nil }
        guard values.count == 1 else { throw APIHeaderError(.duplicateHeader) }

        let text: String
        do {
            text = try EncodedWords.decode(HeaderUnfolding.unfold(raw))
        } catch {
            throw APIHeaderError(.encodedWord(error))
        }
        // JSON ignores surrounding whitespace itself, so no separate trimming is needed;
        // a value of only whitespace is reported as "empty value".
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            throw APIHeaderError(.invalidJSON(reason: error.reason))
        }
        guard case .object(let object) = json else { throw APIHeaderError(.notAnObject) }
        return try APIHeader(object: object)
    }

    /// Reads the fields in a fixed order, so a header with several faults always gets the same reply.
    private init(object: JSONObject) throws(APIHeaderError) {
        self.init()
        var ignored: [String] = []
        var unknown: [String] = []

        if let value = object["campaign_id"] {
            guard case .string(let campaign) = value else { throw APIHeaderError(.campaignIDNotString) }
            guard campaign.utf8.count <= Self.maxCampaignIDBytes else {
                throw APIHeaderError(.campaignIDTooLong)
            }
            campaignID = campaign
        }
        if let value = object["metadata"] {
            guard case .object(let metadata) = value else { throw APIHeaderError(.metadataNotObject) }
            self.metadata = metadata
        }
        if let value = object["tags"] {
            guard case .array(let entries) = value else { throw APIHeaderError(.tagsNotArray) }
            // Every entry is checked, even those past the limit, so a bad header is never
            // accepted just because its fault lies beyond the tenth tag.
            var strings: [String] = []
            for entry in entries {
                guard case .string(let tag) = entry else { throw APIHeaderError(.tagNotString) }
                if strings.count < Self.maxTags { strings.append(tag) }
            }
            tags = strings
        }
        if let value = object["options"] {
            guard case .object(let options) = value else { throw APIHeaderError(.optionsNotObject) }
            openTracking = try Self.boolean(options["open_tracking"], name: "options.open_tracking")
            clickTracking = try Self.boolean(options["click_tracking"], name: "options.click_tracking")
            transactional = try Self.boolean(options["transactional"], name: "options.transactional")
            for key in options.keys where !Self.handledOptions.contains(key) {
                if Self.sparkPostOnlyFields.contains(key) { ignored.append("options." + key) } else { unknown.append("options." + key) }
            }
        }
        for key in object.keys where !["campaign_id", "metadata", "tags", "options"].contains(key) {
            if Self.sparkPostOnlyFields.contains(key) { ignored.append(key) } else { unknown.append(key) }
        }
        ignoredSparkPostFields = ignored.sorted()
        unknownFields = unknown.sorted()
    }

    /// A tracking option: JSON `true`/`false` only; `1`, `"true"` and `null` are errors.
    private static func boolean(_ value: JSONValue?, name: String) throws(APIHeaderError) -> Bool? {
        guard let value else { return nil }
        guard case .bool(let flag) = value else { throw APIHeaderError(.optionNotBoolean(name)) }
        return flag
    }
}

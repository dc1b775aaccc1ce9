/// What an injection event shows of a message's header fields: the Subject as a person
/// reads it and the From address. Both are sender-sized, so both are bounded.
public struct HeaderSummary: Sendable, Equatable {
    /// Longest Subject kept, in UTF-8 bytes (cut at a character boundary).
    public static let maxSubjectBytes = 1000
    /// Longest From address kept (RFC 5321 allows 254 in a path; headers may carry more).
    public static let maxAddressBytes = 320

    public var subject: String?
    public var friendlyFrom: String?
    /// Bytes of the header section as received: each `name: value` line and its CRLF, and
    /// the blank line after them.
    public var headerBytes: Int

    public init(_ headers: [HeaderField]) {
        var subject: String?
        var from: String?
        var bytes = 2
        for field in headers {
            bytes += field.name.utf8.count + field.value.count + 4
            if subject == nil, field.name.utf8.count == 7, field.name.lowercased() == "subject" {
                subject = Self.decodedSubject(field.value)
            } else if from == nil, field.name.utf8.count == 4, field.name.lowercased() == "from" {
                from = Self.address(field.value)
            }
        }
        self.subject = subject
        self.friendlyFrom = from
        self.headerBytes = bytes
    }

    /// Unfolded and RFC 2047 decoded; the raw text when a word does not decode.
    static func decodedSubject(_ value: [UInt8]) -> String {
        let raw = HeaderUnfolding.unfold(String(decoding: value.prefix(maxSubjectBytes * 8), as: UTF8.self))
            .trimmingASCIIWhitespace()
        let text = (try? EncodedWords.decode(raw)) ?? raw
        return text.prefixUTF8(maxSubjectBytes)
    }

    /// The address of a From field: inside the last `<…>` when there is one (`Jane
    /// <jane@example.org>`), else the trimmed value (`jane@example.org`); the first
    /// mailbox of a list.
    static func address(_ value: [UInt8]) -> String? {
        let text = HeaderUnfolding.unfold(String(decoding: value.prefix(4096), as: UTF8.self))
        var address: Substring
        if let open = text.firstIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            address = text[text.index(after: open)..<close]
        } else {
            address = Substring(text.split(separator: ",", maxSplits: 1).first ?? "")
        }
        let trimmed = String(address).trimmingASCIIWhitespace()
        return trimmed.isEmpty ? nil : trimmed.prefixUTF8(maxAddressBytes)
    }
}

extension String {
    /// At most `maxBytes` bytes of UTF-8, cut before a character that would not fit.
    func prefixUTF8(_ maxBytes: Int) -> String {
        guard utf8.count > maxBytes else { return self }
        var bytes = 0
        var end = startIndex
        for character in self {
            let size = character.utf8.count
            guard bytes + size <= maxBytes else { break }
            bytes += size
            end = index(after: end)
        }
        return String(self[..<end])
    }
}

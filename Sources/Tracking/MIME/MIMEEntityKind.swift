/// What the walker does with one entity (the message itself or a body part), decided from its header.
enum MIMEEntityKind: Equatable {
    /// Walk its body parts.
    case multipart(boundary: [UInt8], isDigest: Bool)
    /// A displayed text part to decode, rewrite and re-encode.
    case displayed(DisplayedPart.Kind, charset: String?, encoding: MIMETransferEncoding)
    /// Copy as it came: attachments, images, message/*, other text types.
    case other
    /// Copy as it came, and say why in the log: a part that looked rewritable but is not safe to touch.
    case leftAlone(MIMELeftAlone)

    /// Classifies an entity. A missing Content-Type means text/plain (message/rfc822 inside
    /// multipart/digest). With several Content-Type fields the first is used when they agree;
    /// when they disagree readers pick differently, so the entity is left alone.
    static func classify(_ fields: MIMEHeaderFields, inDigest: Bool, leaveSigned: Bool) -> MIMEEntityKind {
        let contentType: MIMEContentType
        if let first = fields.contentType.first {
            guard let parsed = MIMEContentType(contentType: first) else { return .leftAlone(.unparseableContentType) }
            for other in fields.contentType.dropFirst() where !agrees(parsed, MIMEContentType(contentType: other)) {
                return .leftAlone(.conflictingFields("Content-Type"))
            }
            contentType = parsed
        } else if inDigest {
            return .other
        } else {
            return classifyText("plain", charset: nil, fields)
        }
        switch contentType.type {
        case "multipart":
            if leaveSigned && (contentType.subtype == "signed" || contentType.subtype == "encrypted") {
                return .leftAlone(.signed("multipart/\(contentType.subtype)"))
            }
            // RFC 2046 forbids a trailing space; readers strip it, so the boundary lines match either way.
            var boundary = contentType.parameters["boundary"] ?? []
            while let last = boundary.last, last <= MIMEBytes.space { boundary.removeLast() }
            guard !boundary.isEmpty else { return .leftAlone(.missingBoundary) }
            return .multipart(boundary: boundary, isDigest: contentType.subtype == "digest")
        case "text" where contentType.subtype == "html" || contentType.subtype == "plain":
            return classifyText(contentType.subtype, charset: contentType.string("charset", lowercased: true), fields)
        default:
            return .other
        }
    }

    private static func classifyText(_ subtype: String, charset: String?, _ fields: MIMEHeaderFields) -> MIMEEntityKind {
        // Inline or no disposition is displayed; RFC 2183 says to treat unknown ones as attachment.
        for value in fields.disposition {
            guard let disposition = MIMEContentType(disposition: value) else {
                return .leftAlone(.unknownDisposition(MIMEBytes.trimmedText(value)))
            }
            if disposition.type == "attachment" { return .other }
            if disposition.type != "inline" { return .leftAlone(.unknownDisposition(disposition.type)) }
        }
        let encoding: MIMETransferEncoding
        switch MIMETransferEncoding.parse(fields.transferEncoding) {
        case .success(let parsed): encoding = parsed
        case .failure(let reason): return .leftAlone(reason)
        }
        guard MIMECharset(charset) != .unsupported else { return .leftAlone(.charset(charset ?? "")) }
        return .displayed(subtype == "html" ? .html : .plain, charset: charset, encoding: encoding)
    }

    /// Two Content-Type values agree when type, subtype, boundary and charset match.
    private static func agrees(_ a: MIMEContentType, _ b: MIMEContentType?) -> Bool {
        guard let b else { return false }
        return a.type == b.type && a.subtype == b.subtype
            && a.parameters["boundary"] == b.parameters["boundary"]
            && a.string("charset", lowercased: true) == b.string("charset", lowercased: true)
    }
}

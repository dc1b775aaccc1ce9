/// Why an entity the walker might have rewritten is copied as it came (for the log notes).
enum MIMELeftAlone: Error, Equatable, CustomStringConvertible {
    case unknownTransferEncoding(String)
    case charset(String)
    case conflictingFields(String)
    case unparseableContentType
    case unknownDisposition(String)
    case missingBoundary
    case signed(String)
    case malformedHeader
    case badEncodedData(String)
    /// The charset is handled, but the part's text is not valid in it.
    case badCharsetData(charset: String, what: String)
    /// Re-encoded, a line of the part would read as a delimiter of an enclosing multipart
    /// (a soft line break in the original hid it), which would change the message's structure.
    case wouldMakeDelimiter

    var description: String {
        switch self {
        case .unknownTransferEncoding(let value): "unknown Content-Transfer-Encoding \"\(value)\""
        case .charset(let name): "charset \(name) is not ASCII-compatible"
        case .conflictingFields(let name): "conflicting \(name) fields"
        case .unparseableContentType: "unparseable Content-Type"
        case .unknownDisposition(let value): "Content-Disposition \"\(value)\""
        case .missingBoundary: "multipart without a boundary"
        case .signed(let type): "\(type) (rewriting would break the signature)"
        case .malformedHeader: "malformed header block"
        case .badEncodedData(let what): what
        case .badCharsetData(let charset, let what): "\(what) in \(charset) text"
        case .wouldMakeDelimiter: "re-encoded, a line would be a multipart delimiter"
        }
    }
}

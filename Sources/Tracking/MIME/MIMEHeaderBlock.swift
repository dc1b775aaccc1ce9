/// A body part's header block as it arrives, kept as bytes: it is copied out unchanged,
/// or with its Content-Transfer-Encoding replaced when a part must switch to quoted-printable.
final class MIMEHeaderBlock {
    /// Past this a "header block" is taken to be something else and left alone.
    static let maxBytes = 256 * 1024

    enum Progress {
        case more
        /// The blank line arrived: the block is complete.
        case complete
        /// A line that is no header field (or the block is too long): leave the part alone.
        case malformed
    }

    private(set) var bytes: [UInt8] = []
    private var lineStart = 0

    /// Adds a piece of a line; `lineEnd` says the piece ends the line.
    func append(_ piece: UnsafeRawBufferPointer, lineEnd: Bool) -> Progress {
        bytes.appendMIMEBytes(piece)
        guard lineEnd else { return bytes.count > Self.maxBytes ? .malformed : .more }
        let line = bytes[lineStart...]
        let first = lineStart == 0
        lineStart = bytes.count
        if Self.isBlank(line) { return .complete }
        if bytes.count > Self.maxBytes { return .malformed }
        return Self.isAcceptable(line, first: first) ? .more : .malformed
    }

    /// Whether the line is only a line ending.
    static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.elementsEqual([MIMEBytes.lf]) || line.elementsEqual([MIMEBytes.cr, MIMEBytes.lf])
    }

    /// A field (`name:` with a printable name, spaces allowed before the colon) or, after
    /// the first line, a continuation starting with whitespace. A line without a colon is
    /// where readers disagree (some end the header there, some skip it), so such a part is
    /// left alone rather than guessed at.
    static func isAcceptable(_ line: ArraySlice<UInt8>, first: Bool) -> Bool {
        guard let lead = line.first else { return false }
        if MIMEBytes.isWhitespace(lead) { return !first }
        return HeaderFieldLine.isFieldStart(line)
    }

    /// `block` with every Content-Transfer-Encoding field (continuation lines included)
    /// replaced by `Content-Transfer-Encoding: <value>`, or that field added before the
    /// blank line when there was none. Each new line takes the ending of the line it replaces.
    static func settingTransferEncoding(_ value: String, in block: [UInt8]) -> [UInt8] {
        let field = Array("Content-Transfer-Encoding: \(value)".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(block.count + field.count + 2)
        var replaced = false
        var skippingContinuation = false
        var start = 0
        while start < block.count {
            let end = block[start...].firstIndex(of: MIMEBytes.lf).map { $0 + 1 } ?? block.count
            let line = block[start..<end]
            start = end
            if skippingContinuation, let lead = line.first, MIMEBytes.isWhitespace(lead) { continue }
            skippingContinuation = false
            let ending = lineEnding(of: line)
            if isBlank(line) || line.isEmpty {
                if !replaced { out += field + ending }
                replaced = true
                out += line
                continue
            }
            if let colon = line.firstIndex(of: MIMEBytes.colon),
               MIMEBytes.trimmedText(line[..<colon]).lowercased() == "content-transfer-encoding" {
                out += field + ending
                replaced = true
                skippingContinuation = true
                continue
            }
            out += line
        }
        if !replaced { out += field + [MIMEBytes.cr, MIMEBytes.lf] }
        return out
    }

    /// The line's ending bytes (CRLF when it has none).
    static func lineEnding(of line: ArraySlice<UInt8>) -> [UInt8] {
        guard line.last == MIMEBytes.lf else { return [MIMEBytes.cr, MIMEBytes.lf] }
        return line.dropLast().last == MIMEBytes.cr ? [MIMEBytes.cr, MIMEBytes.lf] : [MIMEBytes.lf]
    }
}

import Tracking

/// A whole RFC 5322 message as bytes, for the offline `rewrite` command: its header fields
/// as a milter would receive them, its body, and the header block re-written with changes
/// while every other byte stays as it was.
public struct RawMessage {
    public struct Field {
        public let name: String
        /// As a milter gets it: without the space after the colon, folds as LF + white space.
        public let value: [UInt8]
        /// The field's bytes in the header block, line ending(s) included.
        let range: Range<Int>

        public var headerField: HeaderField { HeaderField(name: name, value: value) }
    }

    public let bytes: [UInt8]
    public let fields: [Field]
    /// Where the body starts (after the blank line), or `bytes.count` without one.
    public let bodyStart: Int
    /// Whether the header block ended (a blank line, or a line that is no field) within
    /// `bytes`: false while a streamed message's header is still arriving.
    public let headerEnded: Bool
    /// The line ending the header block uses, for added headers.
    let lineEnding: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var fields: [Field] = []
        var i = 0
        var fieldStart: Int? = nil
        var lineEnding: [UInt8] = [0x0D, 0x0A]
        var sawLineEnding = false
        func close(_ end: Int) {
            guard let start = fieldStart else { return }
            fields.append(Self.field(bytes, start..<end))
            fieldStart = nil
        }
        var body = bytes.count
        var ended = false
        // An mbox "From " line is no header field, but part of the header block: Postfix
        // turns it into X-Mailbox-Line, so a milter never sees it as body text.
        if bytes.starts(with: Array("From ".utf8)) {
            while i < bytes.count && bytes[i] != 0x0A { i += 1 }
            i = min(i + 1, bytes.count)
        }
        while i < bytes.count {
            let lineStart = i
            while i < bytes.count && bytes[i] != 0x0A { i += 1 }
            let lineEnd = i < bytes.count ? i + 1 : i  // past the LF
            let contentEnd = (i > lineStart && bytes[i - 1] == 0x0D) ? i - 1 : i
            if !sawLineEnding && i < bytes.count {
                lineEnding = contentEnd < i ? [0x0D, 0x0A] : [0x0A]
                sawLineEnding = true
            }
            i = lineEnd
            if contentEnd == lineStart {  // the blank line
                close(lineStart)
                body = lineEnd
                ended = true
                break
            }
            let first = bytes[lineStart]
            if (first == 0x20 || first == 0x09) && fieldStart != nil { continue }  // a fold
            close(lineStart)
            guard HeaderFieldLine.isFieldStart(bytes[lineStart..<contentEnd]) else {
                // Like Postfix (and Python's email), the header block ends at the first line
                // that is not a header field; that line starts the body.
                body = lineStart
                ended = true
                break
            }
            fieldStart = lineStart
        }
        if body == bytes.count { close(bytes.count) }
        self.fields = fields
        self.bodyStart = body
        self.headerEnded = ended
        self.lineEnding = lineEnding
    }

    public var body: ArraySlice<UInt8> { bytes[bodyStart...] }

    /// The header block with every field named `deleting` removed (case-insensitive) and
    /// `changes` applied: a field's first occurrence gets the new value, a missing one is
    /// added at the end, and so is each of `adding` (its LF folds in the message's line
    /// ending), as an MTA applies a milter's changes. Every other byte is kept.
    public func headerBlock(
        deleting deleted: String?, changes: [(name: String, value: String)], adding: [(name: String, value: String)] = []
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bodyStart + 64)
        var pending = changes
        var cursor = 0
        for field in fields {
            out += bytes[cursor..<field.range.lowerBound]
            cursor = field.range.upperBound
            if let deleted, field.name.lowercased() == deleted.lowercased() { continue }
            if let index = pending.firstIndex(where: { $0.name.lowercased() == field.name.lowercased() }) {
                out += Array("\(field.name): \(pending[index].value)".utf8) + lineEnding
                pending.remove(at: index)
                continue
            }
            out += bytes[field.range]
        }
        for (name, value) in pending { out += Array("\(name): \(value)".utf8) + lineEnding }
        for (name, value) in adding {
            for byte in "\(name): \(value)".utf8 {
                if byte == 0x0A { out += lineEnding } else { out.append(byte) }
            }
            out += lineEnding
        }
        out += bytes[cursor..<bodyStart]  // the blank line
        return out
    }

    private static func field(_ bytes: [UInt8], _ range: Range<Int>) -> Field {
        let slice = bytes[range]
        guard let colon = slice.firstIndex(of: UInt8(ascii: ":")) else {
            return Field(name: "", value: Array(slice), range: range)
        }
        var nameEnd = colon
        while nameEnd > range.lowerBound && (bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x09) { nameEnd -= 1 }
        let name = String(decoding: bytes[range.lowerBound..<nameEnd], as: UTF8.self)
        var valueStart = colon + 1
        if valueStart < range.upperBound && bytes[valueStart] == 0x20 { valueStart += 1 }
        // Drop the final line ending and the CRs of folds, as milters deliver values.
        var value: [UInt8] = []
        value.reserveCapacity(range.upperBound - valueStart)
        for b in bytes[valueStart..<range.upperBound] where b != 0x0D { value.append(b) }
        if value.last == 0x0A { value.removeLast() }
        return Field(name: name, value: value, range: range)
    }
}

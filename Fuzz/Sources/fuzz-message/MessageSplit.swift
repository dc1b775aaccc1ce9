/// A whole message split the way an MTA hands it to a milter: header fields (name, value
/// without the space after the colon, folds as LF + white space, CRs dropped) and the body
/// after the blank line. The header ends at the blank line or at the first line that is
/// neither a field nor a fold; that line starts the body. A leading mbox "From " line is
/// dropped. Kept here rather than borrowed from TrackingMilter.RawMessage, so the fuzz
/// package depends on Tracking alone.
struct MessageSplit {
    var fields: [(name: String, value: String)] = []
    var body: [UInt8] = []

    init(_ bytes: [UInt8]) {
        var i = 0
        if bytes.starts(with: Array("From ".utf8)) { i = lineEnd(bytes, from: 0) }
        var bodyStart = bytes.count
        while i < bytes.count {
            let end = lineEnd(bytes, from: i)
            var content = bytes[i..<end]
            if content.last == 0x0A { content = content.dropLast() }
            if content.last == 0x0D { content = content.dropLast() }
            if content.isEmpty {
                bodyStart = end
                break
            }
            if let first = content.first, first == 0x20 || first == 0x09, !fields.isEmpty {
                fields[fields.count - 1].value += "\n" + Self.text(content)
                i = end
                continue
            }
            guard let colon = Self.fieldColon(content) else {
                bodyStart = i
                break
            }
            var nameEnd = colon
            while nameEnd > content.startIndex, content[nameEnd - 1] == 0x20 || content[nameEnd - 1] == 0x09 { nameEnd -= 1 }
            var valueStart = colon + 1
            if valueStart < content.endIndex, content[valueStart] == 0x20 { valueStart += 1 }
            fields.append((String(decoding: content[content.startIndex..<nameEnd], as: UTF8.self), Self.text(content[valueStart...])))
            i = end
        }
        body = Array(bytes[min(bodyStart, bytes.count)...])
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.filter { $0 != 0x0D }, as: UTF8.self)
    }

    /// The colon of `name:` (printable name, blanks allowed before the colon), or nil.
    private static func fieldColon(_ line: ArraySlice<UInt8>) -> Int? {
        var i = line.startIndex
        while i < line.endIndex, line[i] > 0x20, line[i] < 0x7F, line[i] != UInt8(ascii: ":") { i += 1 }
        guard i > line.startIndex else { return nil }
        while i < line.endIndex, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        return i < line.endIndex && line[i] == UInt8(ascii: ":") ? i : nil
    }
}

private func lineEnd(_ bytes: [UInt8], from start: Int) -> Int {
    var i = start
    while i < bytes.count, bytes[i] != 0x0A { i += 1 }
    return min(i + 1, bytes.count)
}

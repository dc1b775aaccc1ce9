/// One open multipart on the walker's stack.
struct MIMEMultipartLevel {
    let boundary: [UInt8]
    /// In multipart/digest a part without Content-Type is message/rfc822.
    let isDigest: Bool
    /// IMAP-style section number of the multipart ("" for the message itself), for log notes.
    let path: String
    var parts = 0

    /// The section number of the next body part.
    var nextChildPath: String { path.isEmpty ? "\(parts + 1)" : "\(path).\(parts + 1)" }

    enum Delimiter { case open, close }

    /// Whether `line` (with or without its line ending) is a delimiter line of this
    /// multipart: `--boundary` or `--boundary--`, then optional spaces or tabs (RFC 2046's
    /// transport padding, and the `--b  ` that real mail has). Nothing else may follow, so
    /// a boundary that is a prefix of another (`b` and `b1`) does not match the longer one.
    func delimiter(_ line: UnsafeRawBufferPointer) -> Delimiter? {
        var end = line.count
        if end > 0 && line[end - 1] == MIMEBytes.lf { end -= 1 }
        if end > 0 && line[end - 1] == MIMEBytes.cr { end -= 1 }
        while end > 0 && MIMEBytes.isWhitespace(line[end - 1]) { end -= 1 }
        let length = 2 + boundary.count
        guard end >= length, line[0] == MIMEBytes.dash, line[1] == MIMEBytes.dash else { return nil }
        for (offset, byte) in boundary.enumerated() where line[2 + offset] != byte { return nil }
        switch end - length {
        case 0: return .open
        case 2 where line[length] == MIMEBytes.dash && line[length + 1] == MIMEBytes.dash: return .close
        default: return nil
        }
    }
}

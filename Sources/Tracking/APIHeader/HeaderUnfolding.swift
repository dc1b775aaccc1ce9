/// RFC 5322 §2.2.3 unfolding of a header field value.
public enum HeaderUnfolding {
    /// Removes every line break (CRLF, or a bare LF or CR as milters and MTAs sometimes
    /// hand over) that is followed by a space or tab; the whitespace itself stays.
    /// Line breaks not followed by whitespace are not folds and are left alone.
    public static func unfold(_ s: String) -> String {
        let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
        guard s.utf8.contains(where: { $0 == cr || $0 == lf }) else { return s }
        // Bytes, not Characters: Swift treats CRLF as one Character. CR, LF, SP and HTAB are
        // ASCII and never occur inside a multi-byte UTF-8 sequence, so this keeps UTF-8 intact.
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            guard byte == cr || byte == lf else {
                out.append(byte)
                i += 1
                continue
            }
            var end = i + 1
            if byte == cr, end < bytes.count, bytes[end] == lf { end += 1 }
            let isFold = end < bytes.count && (bytes[end] == 0x20 || bytes[end] == 0x09)
            if !isFold { out.append(contentsOf: bytes[i..<end]) }
            i = end
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Quoted-printable (RFC 2045 §6.7): a streaming `Decoder` and `Encoder`, and one-shot helpers.
public enum QuotedPrintable {
    /// Decodes a whole buffer (see `Decoder` for the lenient rules).
    public static func decode(_ bytes: [UInt8]) -> [UInt8] {
        var decoder = Decoder()
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        bytes.withUnsafeBytes { decoder.decode($0, into: &out) }
        decoder.finish(into: &out)
        return out
    }

    /// Encodes a whole buffer (see `Encoder`).
    public static func encode(_ bytes: [UInt8], maxLineLength: Int = 76, lineEnding: MIMELineEnding = .crlf) -> [UInt8] {
        var encoder = Encoder(maxLineLength: maxLineLength, lineEnding: lineEnding)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        bytes.withUnsafeBytes { encoder.encode($0, into: &out) }
        encoder.finish(into: &out)
        return out
    }
}

/// Base64 for MIME bodies (RFC 2045 §6.8): a streaming `Decoder` and `Encoder`, and one-shot helpers.
public enum Base64Codec {
    /// Why base64 data could not be decoded.
    public enum DecodingError: Error, Sendable, Equatable {
        /// A byte outside the alphabet, whitespace and `=`.
        case invalidCharacter(UInt8)
        /// Alphabet characters after the padding.
        case dataAfterPadding
        /// `=` where no padding can be, or a lone character left at the end.
        case badPadding
    }

    /// Decodes a whole buffer.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> [UInt8] {
        var decoder = Decoder()
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 4 * 3 + 3)
        let failure: DecodingError? = bytes.withUnsafeBytes { buffer in
            do throws(DecodingError) { try decoder.decode(buffer, into: &out) } catch { return error }
            return nil
        }
        if let failure { throw failure }
        try decoder.finish(into: &out)
        return out
    }

    /// Encodes a whole buffer in lines of `lineLength` characters.
    public static func encode(_ bytes: [UInt8], lineLength: Int = 76, lineEnding: MIMELineEnding = .crlf) -> [UInt8] {
        var encoder = Encoder(lineLength: lineLength, lineEnding: lineEnding)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 3 * 4 + bytes.count / 38 + 8)
        bytes.withUnsafeBytes { encoder.encode($0, into: &out) }
        encoder.finish(into: &out)
        return out
    }

    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static let invalid: UInt8 = 0xFF
    static let skip: UInt8 = 0xFE
    static let pad: UInt8 = 0xFD

    /// Alphabet value of each byte; `skip` for whitespace, `pad` for `=`, `invalid` otherwise.
    static let values: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        for byte in [MIMEBytes.space, MIMEBytes.tab, MIMEBytes.cr, MIMEBytes.lf] { table[Int(byte)] = skip }
        table[Int(MIMEBytes.equals)] = pad
        return table
    }()
}

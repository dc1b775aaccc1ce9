extension QuotedPrintable {
    /// Streaming quoted-printable decoder; input may be split anywhere, even inside `=XX`.
    ///
    /// Lenient the way mainstream readers are, so decoding then re-encoding keeps what a
    /// reader shows: hex digits of either case are accepted; an `=` not followed by two hex
    /// digits or a line break is kept as a literal `=` (RFC 2045 §6.7 note 2) and counted in
    /// `literalEquals`, not treated as an error (re-encoding writes it as `=3D`, which every
    /// reader decodes to the same `=`); `=` followed by spaces and a line break is a soft
    /// break (transport padding). Hard line breaks pass through exactly as they came (CRLF or
    /// LF). Trailing whitespace on a line is kept, not stripped: readers keep it and
    /// format=flowed text depends on it.
    public struct Decoder: Sendable {
        private enum State: Sendable {
            case text
            case equals
            case hex(UInt8)
            case padding
            case softCR
        }

        private var state = State.text
        private var padding: [UInt8] = []
        /// How many `=` were kept literally because no hex pair or line break followed.
        public private(set) var literalEquals = 0

        public init() {}

        /// Decodes `input`, appending to `output`.
        public mutating func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
            var i = 0
            let n = input.count
            while i < n {
                switch state {
                case .text:
                    // Copy the run up to the next '=' in one go.
                    guard let eq = MIMEBytes.index(of: MIMEBytes.equals, in: input, from: i) else {
                        output.appendMIMEBytes(UnsafeRawBufferPointer(rebasing: input[i..<n]))
                        return
                    }
                    output.appendMIMEBytes(UnsafeRawBufferPointer(rebasing: input[i..<eq]))
                    i = eq + 1
                    state = .equals
                case .equals:
                    let byte = input[i]
                    if MIMEBytes.hexValue(byte) != nil {
                        state = .hex(byte)
                        i += 1
                    } else if byte == MIMEBytes.lf {
                        state = .text
                        i += 1
                    } else if byte == MIMEBytes.cr {
                        state = .softCR
                        i += 1
                    } else if MIMEBytes.isWhitespace(byte) {
                        padding = [byte]
                        state = .padding
                        i += 1
                    } else {
                        keepLiteral([], into: &output)  // reprocess `byte` as text
                    }
                case .hex(let first):
                    let byte = input[i]
                    if let low = MIMEBytes.hexValue(byte), let high = MIMEBytes.hexValue(first) {
                        output.append(high << 4 | low)
                        state = .text
                        i += 1
                    } else {
                        keepLiteral([first], into: &output)
                    }
                case .padding:
                    let byte = input[i]
                    if MIMEBytes.isWhitespace(byte) {
                        padding.append(byte)
                        i += 1
                    } else if byte == MIMEBytes.lf {
                        padding.removeAll()
                        state = .text
                        i += 1
                    } else if byte == MIMEBytes.cr {
                        padding.removeAll()
                        state = .softCR
                        i += 1
                    } else {
                        let kept = padding
                        padding.removeAll()
                        keepLiteral(kept, into: &output)
                    }
                case .softCR:
                    // "=" CR LF is a soft break; a bare CR after "=" is taken as one too.
                    if input[i] == MIMEBytes.lf { i += 1 }
                    state = .text
                }
            }
        }

        /// Ends the input: an `=` at the very end is a soft break whose line ending belongs
        /// to what follows (a boundary), so it decodes to nothing.
        public mutating func finish(into output: inout [UInt8]) {
            if case .hex(let first) = state { keepLiteral([first], into: &output) }
            padding.removeAll()
            state = .text
        }

        private mutating func keepLiteral(_ following: [UInt8], into output: inout [UInt8]) {
            output.append(MIMEBytes.equals)
            output.append(contentsOf: following)
            literalEquals += 1
            state = .text
        }
    }
}

extension QuotedPrintable {
    /// Streaming quoted-printable encoder; input may be split anywhere.
    ///
    /// Lines are at most `maxLineLength` characters (76 by RFC 2045), soft breaks are `=`
    /// plus `lineEnding`, and an escape is never split. Encoded: `=`, control bytes, bytes
    /// above 0x7E, a CR not followed by LF, and a space or tab at the end of a line or of
    /// the input. A line break of the part's own kind (CRLF in a CRLF part, LF in an LF
    /// part) is a line break of the text (RFC 2045 §6.7 rule 4) and is written as
    /// `lineEnding`. In a CRLF part a bare LF is text, not a line break, and is written
    /// `=0A`: the decoded text keeps every byte it had (an encoded `=0A` stays an LF).
    public struct Encoder: Sendable {
        public let maxLineLength: Int
        public let lineEnding: MIMELineEnding

        /// The current output line, not yet written: at most `maxLineLength` bytes.
        private var line: [UInt8] = []
        /// Where the last token (one literal byte or a three-byte escape) starts in `line`.
        private var lastTokenStart = 0
        /// The last token is a space or tab written literally (to encode if a break follows).
        private var lastIsLiteralWhitespace = false
        private var pendingCR = false
        private let ending: [UInt8]

        /// `maxLineLength` below 4 is raised to 4, the least that fits an escape and a soft break.
        public init(maxLineLength: Int = 76, lineEnding: MIMELineEnding = .crlf) {
            self.maxLineLength = max(4, maxLineLength)
            self.lineEnding = lineEnding
            ending = lineEnding.bytes
            line.reserveCapacity(self.maxLineLength + 3)
        }

        /// Encodes `input`, appending finished lines to `output`.
        public mutating func encode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
            var i = 0
            let n = input.count
            while i < n {
                guard !pendingCR, Self.isLiteral(input[i]) else {
                    consume(input[i], into: &output)
                    i += 1
                    continue
                }
                // Runs of bytes written as they are go into the line a slice at a time.
                var end = i + 1
                while end < n && Self.isLiteral(input[end]) { end += 1 }
                addLiterals(UnsafeRawBufferPointer(rebasing: input[i..<end]), into: &output)
                i = end
            }
        }

        /// Ends the input: encodes trailing whitespace and writes the last line, without a line ending.
        public mutating func finish(into output: inout [UInt8]) {
            if pendingCR {
                pendingCR = false
                addEscaped(MIMEBytes.cr, into: &output)
            }
            encodeTrailingWhitespace(into: &output)
            output.append(contentsOf: line)
            line.removeAll(keepingCapacity: true)
            lastTokenStart = 0
        }

        private mutating func consume(_ byte: UInt8, into output: inout [UInt8]) {
            if pendingCR {
                pendingCR = false
                if byte == MIMEBytes.lf {
                    hardBreak(into: &output)
                    return
                }
                addEscaped(MIMEBytes.cr, into: &output)
            }
            switch byte {
            case MIMEBytes.cr:
                pendingCR = true
            case MIMEBytes.lf:
                if lineEnding == .crlf { addEscaped(byte, into: &output) } else { hardBreak(into: &output) }
            case MIMEBytes.space, MIMEBytes.tab:
                add(byte, into: &output)
                lastIsLiteralWhitespace = true
            case 0x21...0x7E where byte != MIMEBytes.equals:
                add(byte, into: &output)
            default:
                addEscaped(byte, into: &output)
            }
        }

        /// Printable ASCII but "=", and space or tab (escaped later if a line break follows).
        @inline(__always)
        private static func isLiteral(_ byte: UInt8) -> Bool {
            (byte >= MIMEBytes.space && byte <= 0x7E && byte != MIMEBytes.equals) || byte == MIMEBytes.tab
        }

        /// Adds literal bytes, one token each, as `add` would one by one.
        private mutating func addLiterals(_ run: UnsafeRawBufferPointer, into output: inout [UInt8]) {
            var k = 0
            while k < run.count {
                if line.count >= maxLineLength { softBreak(into: &output) }
                let take = min(maxLineLength - line.count, run.count - k)
                line.append(contentsOf: run[k..<(k + take)])
                k += take
                lastTokenStart = line.count - 1
            }
            lastIsLiteralWhitespace = MIMEBytes.isWhitespace(run[run.count - 1])
        }

        private mutating func add(_ byte: UInt8, into output: inout [UInt8]) {
            if line.count + 1 > maxLineLength { softBreak(into: &output) }
            lastTokenStart = line.count
            line.append(byte)
            lastIsLiteralWhitespace = false
        }

        private mutating func addEscaped(_ byte: UInt8, into output: inout [UInt8]) {
            if line.count + 3 > maxLineLength { softBreak(into: &output) }
            lastTokenStart = line.count
            line.append(MIMEBytes.equals)
            line.append(MIMEBytes.upperHexDigits[Int(byte >> 4)])
            line.append(MIMEBytes.upperHexDigits[Int(byte & 0x0F)])
            lastIsLiteralWhitespace = false
        }

        /// Writes the current line with a soft break. The written part plus "=" must fit, so
        /// a line filled to the last column keeps its last token for the next line.
        private mutating func softBreak(into output: inout [UInt8]) {
            let cut = line.count > maxLineLength - 1 ? lastTokenStart : line.count
            output.append(contentsOf: line[..<cut])
            output.append(MIMEBytes.equals)
            output.append(contentsOf: ending)
            line.removeFirst(cut)
            lastTokenStart = 0
        }

        private mutating func hardBreak(into output: inout [UInt8]) {
            encodeTrailingWhitespace(into: &output)
            output.append(contentsOf: line)
            output.append(contentsOf: ending)
            line.removeAll(keepingCapacity: true)
            lastTokenStart = 0
        }

        /// A space or tab right before a line break would be stripped in transport: escape it.
        private mutating func encodeTrailingWhitespace(into output: inout [UInt8]) {
            guard lastIsLiteralWhitespace, let whitespace = line.popLast() else { return }
            lastIsLiteralWhitespace = false
            addEscaped(whitespace, into: &output)
        }
    }
}

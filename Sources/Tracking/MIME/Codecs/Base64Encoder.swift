extension Base64Codec {
    /// Streaming base64 encoder writing lines of `lineLength` characters; input may be split anywhere.
    public struct Encoder: Sendable {
        /// Characters per line: a multiple of 4 (rounded down, at least 4); 76 by RFC 2045.
        public let lineLength: Int
        public let lineEnding: MIMELineEnding
        private let ending: [UInt8]
        private var held: (UInt8, UInt8) = (0, 0)
        private var heldCount = 0
        private var column = 0

        public init(lineLength: Int = 76, lineEnding: MIMELineEnding = .crlf) {
            self.lineLength = max(4, lineLength / 4 * 4)
            self.lineEnding = lineEnding
            ending = lineEnding.bytes
        }

        /// Encodes `input`, appending to `output`. Line endings go between lines, so the
        /// output never ends with one: the caller's own line ending follows.
        public mutating func encode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
            var i = 0
            let n = input.count
            // Complete a group begun in an earlier call.
            while heldCount > 0 && i < n {
                if heldCount == 1 {
                    held.1 = input[i]
                    heldCount = 2
                } else {
                    emit(held.0, held.1, input[i], into: &output)
                    heldCount = 0
                }
                i += 1
            }
            let groups = (n - i) / 3
            if groups > 0 {
                encodeGroups(UnsafeRawBufferPointer(rebasing: input[i..<(i + groups * 3)]), into: &output)
                i += groups * 3
            }
            while i < n {
                if heldCount == 0 { held.0 = input[i] } else { held.1 = input[i] }
                heldCount += 1
                i += 1
            }
        }

        /// Ends the input: writes the last group with its padding.
        public mutating func finish(into output: inout [UInt8]) {
            guard heldCount > 0 else { return }
            breakLineIfFull(into: &output)
            let alphabet = Base64Codec.alphabet
            let b0 = held.0, b1 = heldCount == 2 ? held.1 : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(heldCount == 2 ? alphabet[Int((b1 & 0x0F) << 2)] : MIMEBytes.equals)
            output.append(MIMEBytes.equals)
            heldCount = 0
            column += 4
        }

        /// Encodes whole groups straight into the output's storage.
        private mutating func encodeGroups(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
            let groups = input.count / 3
            let most = groups * 4 + (groups * 4 / lineLength + 1) * ending.count
            var written = output.count
            output.append(contentsOf: repeatElement(0, count: most))
            var column = self.column
            let lineLength = self.lineLength
            let ending = self.ending
            output.withUnsafeMutableBufferPointer { out in
                Base64Codec.alphabet.withUnsafeBufferPointer { alphabet in
                    var i = 0
                    for _ in 0..<groups {
                        if column >= lineLength {
                            for byte in ending {
                                out[written] = byte
                                written += 1
                            }
                            column = 0
                        }
                        let b0 = input[i], b1 = input[i + 1], b2 = input[i + 2]
                        out[written] = alphabet[Int(b0 >> 2)]
                        out[written + 1] = alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)]
                        out[written + 2] = alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)]
                        out[written + 3] = alphabet[Int(b2 & 0x3F)]
                        written += 4
                        column += 4
                        i += 3
                    }
                }
            }
            output.removeLast(output.count - written)
            self.column = column
        }

        @inline(__always)
        private mutating func emit(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, into output: inout [UInt8]) {
            breakLineIfFull(into: &output)
            Base64Codec.alphabet.withUnsafeBufferPointer { alphabet in
                output.append(alphabet[Int(b0 >> 2)])
                output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
                output.append(alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)])
                output.append(alphabet[Int(b2 & 0x3F)])
            }
            column += 4
        }

        @inline(__always)
        private mutating func breakLineIfFull(into output: inout [UInt8]) {
            if column >= lineLength {
                output.append(contentsOf: ending)
                column = 0
            }
        }
    }
}

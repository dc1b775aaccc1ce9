extension Base64Codec {
    /// Streaming base64 decoder; input may be split anywhere.
    ///
    /// Whitespace and line breaks are skipped and missing final padding is accepted, but any
    /// other byte outside the alphabet, data after padding, or a lone trailing character is
    /// an error: the walker then leaves the part exactly as it came instead of guessing.
    /// After an error the decoder stays failed.
    public struct Decoder: Sendable {
        private var quantum: UInt32 = 0
        private var count = 0
        /// `=` seen: only whitespace and further `=` may follow.
        private var padded = false
        private var failure: DecodingError?

        public init() {}

        /// Decodes `input`, appending to `output`.
        public mutating func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(DecodingError) {
            if let failure { throw failure }
            // Whole quanta are written straight into the output's storage; `written` trails.
            var written = output.count
            output.append(contentsOf: repeatElement(0, count: input.count / 4 * 3 + 3))
            var quantum = self.quantum
            var count = self.count
            var padded = self.padded
            let error: DecodingError? = output.withUnsafeMutableBufferPointer { out in
                Base64Codec.values.withUnsafeBufferPointer { values in
                    for byte in input {
                        let value = values[Int(byte)]
                        if value < 64 {
                            if padded { return .dataAfterPadding }
                            quantum = quantum << 6 | UInt32(value)
                            count += 1
                            if count == 4 {
                                out[written] = UInt8(truncatingIfNeeded: quantum >> 16)
                                out[written + 1] = UInt8(truncatingIfNeeded: quantum >> 8)
                                out[written + 2] = UInt8(truncatingIfNeeded: quantum)
                                written += 3
                                quantum = 0
                                count = 0
                            }
                        } else if value == Base64Codec.skip {
                            continue
                        } else if value == Base64Codec.pad {
                            if !padded {
                                guard count >= 2 else { return .badPadding }
                                let bits = quantum << (6 * UInt32(4 - count))
                                out[written] = UInt8(truncatingIfNeeded: bits >> 16)
                                if count == 3 { out[written + 1] = UInt8(truncatingIfNeeded: bits >> 8) }
                                written += count - 1
                                quantum = 0
                                count = 0
                                padded = true
                            }
                        } else {
                            return .invalidCharacter(byte)
                        }
                    }
                    return nil
                }
            }
            output.removeLast(output.count - written)
            self.quantum = quantum
            self.count = count
            self.padded = padded
            if let error { try fail(error) }
        }

        /// Ends the input, decoding a final group that lacks its padding.
        public mutating func finish(into output: inout [UInt8]) throws(DecodingError) {
            if let failure { throw failure }
            switch count {
            case 0: break
            case 1: try fail(.badPadding)
            default: Self.flushPartial(quantum, count: count, into: &output)
            }
            quantum = 0
            count = 0
        }

        private mutating func fail(_ error: DecodingError) throws(DecodingError) -> Never {
            failure = error
            throw error
        }

        /// Two or three characters carry one or two bytes.
        private static func flushPartial(_ quantum: UInt32, count: Int, into output: inout [UInt8]) {
            let bits = quantum << (6 * UInt32(4 - count))
            output.append(UInt8(truncatingIfNeeded: bits >> 16))
            if count == 3 { output.append(UInt8(truncatingIfNeeded: bits >> 8)) }
        }
    }
}

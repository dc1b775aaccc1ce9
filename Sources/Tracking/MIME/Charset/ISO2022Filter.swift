/// The byte filter that lets the HTML and text rewriters work on ISO-2022 text (stateful,
/// 7-bit) without knowing about it.
///
/// In front of the rewriter (`hide`): every byte that is not plain ASCII in its state —
/// escape sequences, SO/SI, the bytes of a JIS X 0208 or KS C 5601 run, JIS-Roman's YEN SIGN
/// and OVERLINE — gets its high bit set. The rewriters read bytes above 0x7F as characters
/// that are never markup, never a URL character (`NonASCIIBytes.opaque`), and copy them.
///
/// Behind it (`reveal`): the high bit is cleared again, so every original byte comes back as
/// it was, escapes included. Bytes below 0x80 in the rewriter's output are original plain
/// ASCII or inserted (tracked URLs, pixels). A second state machine follows the output: an
/// inserted byte that would land where the text is not ASCII (a pixel after a JIS run that
/// never returned to ASCII) is wrapped in `ESC ( B` … and the designation that was in force,
/// so the decoded text stays what it was plus the insertion.
///
/// A removed annotation can take an escape with it (`data-msys-linkname="ESC$B…ESC(J"`
/// starts in ASCII and ends in JIS-Roman). Such a range starts and ends at ASCII markup, so
/// the two machines can only disagree about ASCII against JIS-Roman; the output machine sees
/// it at the next byte that differs between them (0x5C, 0x7E) and writes the designation
/// the input had. Any other disagreement fails the part, which is then left as it came.
struct ISO2022Filter {
    private var input = ISO2022State()
    private var output = ISO2022State()
    /// After inserted bytes were wrapped: what to write before the next original byte.
    private var restore: [UInt8]?
    private var restoreState: ISO2022State?

    enum Failure: Error, Equatable {
        /// ISO-2022 text is 7-bit; an 8-bit byte means another charset or broken data.
        case eightBit
        /// The rewriter's output does not follow the input's state (never seen; a safety net).
        case lostTrack
    }

    /// Appends `bytes` with every non-plain byte's high bit set.
    mutating func hide(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) throws(Failure) {
        out.reserveCapacity(out.count + bytes.count)
        for byte in bytes {
            guard byte < 0x80 else { throw .eightBit }
            out.append(input.step(byte) ? byte : byte | 0x80)
        }
    }

    /// Appends the rewriter's output with the original bytes restored.
    mutating func reveal(_ bytes: some Collection<UInt8>, into out: inout [UInt8]) throws(Failure) {
        out.reserveCapacity(out.count + bytes.count)
        for byte in bytes {
            if byte >= 0x80 {
                try revealOriginal(byte & 0x7F, into: &out)
            } else if output.isPlain(byte) {
                out.append(byte)
            } else {
                wrapInserted(byte, into: &out)
            }
        }
    }

    private mutating func revealOriginal(_ byte: UInt8, into out: inout [UInt8]) throws(Failure) {
        if let restore, let restoreState {
            out += restore
            output = restoreState
            self.restore = nil
            self.restoreState = nil
        }
        if output.isPlain(byte) {
            // The input held it back, so its state was not plain here: a removed range took
            // an ESC ( J with it. Only YEN SIGN and OVERLINE tell the two apart.
            guard output.isASCII, byte == 0x5C || byte == 0x7E else { throw .lostTrack }
            out += Self.romanDesignation
            output.designateRoman()
        }
        _ = output.step(byte)
        out.append(byte)
    }

    /// An inserted byte where the output is not plain ASCII: switch to ASCII first, and
    /// remember how to switch back.
    private mutating func wrapInserted(_ byte: UInt8, into out: inout [UInt8]) {
        if restore == nil {
            var back: [UInt8] = []
            if output.g0 != .ascii { back += output.g0Designation }
            if output.shifted { back.append(ISO2022State.shiftOut) }
            restore = back
            restoreState = output
        }
        if output.shifted { out.append(ISO2022State.shiftIn) }
        if output.needsASCIIDesignation { out += Self.asciiDesignation }
        output.resetToASCII()
        out.append(byte)
    }

    static let asciiDesignation: [UInt8] = [ISO2022State.escape, UInt8(ascii: "("), UInt8(ascii: "B")]
    static let romanDesignation: [UInt8] = [ISO2022State.escape, UInt8(ascii: "("), UInt8(ascii: "J")]
}

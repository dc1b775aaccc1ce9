/// Where an ISO-2022 byte stream (ISO-2022-JP and its -1/-2/-3/-2004 forms, ISO-2022-KR,
/// ISO-2022-CN) stands, one byte at a time: which set G0 holds, whether SO shifted to G1,
/// an escape sequence or a single shift in progress. `step` says whether a byte is *plain*:
/// read as the ASCII character it is. Everything else — escape sequences, shifts, the bytes
/// of a double-byte run, bytes after a malformed escape — is opaque to the rewriters.
///
/// Deliberately generic (ISO 2022's escape grammar, not a table of one charset's sets): an
/// escape whose meaning is unknown makes G0 an unknown set, so its bytes are opaque, never
/// markup. A malformed escape (ESC then a control or 8-bit byte) leaves the state unknown
/// (`lost`) until the next G0 designation.
struct ISO2022State: Equatable {
    enum G0: Equatable {
        /// ESC ( B: ASCII.
        case ascii
        /// ESC ( J: JIS X 0201 Roman, ASCII except 0x5C (YEN SIGN) and 0x7E (OVERLINE).
        case roman
        /// Any other set: JIS X 0208 (ESC $ B, ESC $ @), JIS X 0212 (ESC $ ( D), GB 2312,
        /// KS C 5601, katakana (ESC ( I), or one this code does not know.
        case other
    }

    static let escape: UInt8 = 0x1B
    static let shiftOut: UInt8 = 0x0E
    static let shiftIn: UInt8 = 0x0F
    /// The longest escape sequence read: ESC and three more bytes (`ESC $ ( D`).
    static let maxEscape = 4

    private(set) var g0 = G0.ascii
    /// The escape sequence that designated G0, for putting it back after inserted ASCII.
    private(set) var g0Designation: [UInt8] = []
    /// SO is in force (G1 invoked); a line feed ends it (RFC 1557, RFC 1922, Python's codecs).
    private(set) var shifted = false
    /// After a malformed escape: nothing is plain until G0 is designated again.
    private(set) var lost = false
    /// Bytes per character of the sets designated to G2 and G3 (for SS2/SS3), 0 when none.
    private var g2Width = 0
    private var g3Width = 0
    /// The escape sequence read so far (empty when none is in progress).
    private var pending: [UInt8] = []
    /// Bytes still to come of a single-shifted character.
    private var singleShift = 0

    /// Whether `byte`, in this state, is the ASCII character it is. Escape and shift bytes
    /// never are, in any state.
    func isPlain(_ byte: UInt8) -> Bool {
        guard pending.isEmpty, singleShift == 0, !shifted, !lost, byte < 0x80 else { return false }
        if byte == Self.escape || byte == Self.shiftOut || byte == Self.shiftIn { return false }
        switch g0 {
        case .ascii: return true
        case .roman: return byte != 0x5C && byte != 0x7E
        case .other: return false
        }
    }

    /// Whether the state reads ASCII as ASCII, with nothing in progress.
    var isASCII: Bool { !shifted && !needsASCIIDesignation }

    /// Whether only `ESC ( B` (after SI, when shifted) makes the next byte ASCII.
    var needsASCIIDesignation: Bool { !pending.isEmpty || singleShift > 0 || lost || g0 != .ascii }

    /// Takes one 7-bit byte (the caller rejects 8-bit ones) and returns whether it was plain.
    mutating func step(_ byte: UInt8) -> Bool {
        if !pending.isEmpty {
            if (0x20...0x2F).contains(byte) && pending.count < Self.maxEscape - 1 {
                pending.append(byte)
                return false
            }
            if (0x30...0x7E).contains(byte) {
                pending.append(byte)
                apply(pending)
                pending.removeAll(keepingCapacity: true)
                return false
            }
            // Malformed: the escape is abandoned and this byte read in an unknown state.
            pending.removeAll(keepingCapacity: true)
            lost = true
        }
        if singleShift > 0 {
            singleShift -= 1
            return false
        }
        let plain = isPlain(byte)
        switch byte {
        case Self.escape: pending = [byte]
        case Self.shiftOut: shifted = true
        case Self.shiftIn: shifted = false
        case MIMEBytes.lf: shifted = false
        default: break
        }
        return plain
    }

    /// Puts G0 back to ASCII and ends any shift: what `ESC ( B` (and SI) do.
    mutating func resetToASCII() {
        self = ISO2022State(g2Width: g2Width, g3Width: g3Width)
    }

    /// Sets G0 to JIS-Roman as `ESC ( J` does.
    mutating func designateRoman() {
        apply([Self.escape, UInt8(ascii: "("), UInt8(ascii: "J")])
    }

    private init(g2Width: Int, g3Width: Int) {
        self.g2Width = g2Width
        self.g3Width = g3Width
    }

    init() {}

    /// The meaning of a complete escape sequence (ESC, intermediates 0x20-0x2F, final).
    private mutating func apply(_ sequence: [UInt8]) {
        guard sequence.count >= 2 else { return }
        let final = sequence[sequence.count - 1]
        let intermediates = sequence[1..<(sequence.count - 1)]
        let dollar = UInt8(ascii: "$")
        switch Array(intermediates) {
        case [UInt8(ascii: "(")]:
            designateG0(final == UInt8(ascii: "B") ? .ascii : final == UInt8(ascii: "J") ? .roman : .other, sequence)
        case [dollar], [dollar, UInt8(ascii: "(")]:
            // ESC $ @, ESC $ A, ESC $ B (the short form) and ESC $ ( F: a double-byte set in G0.
            designateG0(.other, sequence)
        case [UInt8(ascii: ")")], [UInt8(ascii: "-")], [dollar, UInt8(ascii: ")")], [dollar, UInt8(ascii: "-")]:
            break  // G1: used after SO, which is opaque whatever the set
        case [UInt8(ascii: "*")], [UInt8(ascii: ".")]:
            g2Width = 1
        case [dollar, UInt8(ascii: "*")], [dollar, UInt8(ascii: ".")]:
            g2Width = 2
        case [UInt8(ascii: "+")], [UInt8(ascii: "/")]:
            g3Width = 1
        case [dollar, UInt8(ascii: "+")], [dollar, UInt8(ascii: "/")]:
            g3Width = 2
        case [UInt8(ascii: "&")]:
            break  // ESC & @: an announcer (JIS X 0208-1990), no change
        case []:
            // SS2 / SS3: one character from G2 / G3. Anything else (locking shifts, resets)
            // is not used in mail: the state is unknown.
            let width = final == UInt8(ascii: "N") ? g2Width : final == UInt8(ascii: "O") ? g3Width : 0
            if width > 0 { singleShift = width } else { lost = true }
        default:
            lost = true
        }
    }

    private mutating func designateG0(_ set: G0, _ sequence: [UInt8]) {
        g0 = set
        g0Designation = sequence
        lost = false
    }
}

/// The positions of a link tag's attributes, recorded while it is held.
extension HTMLTokenizer {
    @inline(__always)
    mutating func beginAttribute(at index: Int) {
        if recording {
            let start = absolute(index)
            attributes.append(HTMLAttributeSpan(gapStart: whitespaceStart >= 0 ? whitespaceStart : start,
                                                nameStart: start, nameEnd: start, end: start))
        }
        whitespaceStart = -1
    }

    @inline(__always)
    mutating func endAttributeName(at index: Int) {
        guard recording, !attributes.isEmpty else { return }
        attributes[attributes.count - 1].nameEnd = absolute(index)
        attributes[attributes.count - 1].end = absolute(index)
    }

    /// The `=` at `index` belongs to the attribute.
    @inline(__always)
    mutating func markEquals(at index: Int) {
        guard recording, !attributes.isEmpty else { return }
        attributes[attributes.count - 1].end = absolute(index) + 1
    }

    @inline(__always)
    mutating func beginValue(at index: Int, quote: UInt8) {
        guard recording, !attributes.isEmpty else { return }
        attributes[attributes.count - 1].valueStart = absolute(index)
        attributes[attributes.count - 1].quote = quote
    }

    @inline(__always)
    mutating func endValue(at index: Int, quoted: Bool) {
        guard recording, !attributes.isEmpty else { return }
        attributes[attributes.count - 1].valueEnd = absolute(index)
        attributes[attributes.count - 1].end = absolute(index) + (quoted ? 1 : 0)
    }
}

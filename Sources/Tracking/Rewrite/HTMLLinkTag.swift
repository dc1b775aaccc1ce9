/// Where one attribute of a link tag lies, as absolute offsets into the part.
struct HTMLAttributeSpan {
    /// Start of the whitespace right before the name (the name's start when there is none).
    var gapStart: Int
    var nameStart: Int
    var nameEnd: Int
    /// The value's bytes, without quotes; -1 when the attribute has no value.
    var valueStart = -1
    var valueEnd = -1
    /// `"`, `'`, or 0 for an unquoted value.
    var quote: UInt8 = 0
    /// Just past the attribute (past the closing quote of a quoted value).
    var end: Int
}

/// Rewrites one complete `<a>`, `<area>` (or VML shape) start tag: the href value becomes the
/// click URL when the link qualifies, and data-msys-* attributes go. Every other byte of the
/// tag is copied as it was.
enum HTMLLinkTag {
    private static let href = Array("href".utf8)
    private static let msysPrefix = Array("data-msys-".utf8)

    /// `tag` is the whole tag from `<` to `>`; `base` is its absolute offset.
    static func rewrite(_ tag: UnsafeRawBufferPointer, base: Int, attributes: [HTMLAttributeSpan],
                        tracker: inout LinkTracker, into out: inout [UInt8]) {
        var link: HTMLAttributeSpan?
        var annotations = LinkAnnotations()
        var seen = Set<String>()
        var edits: [(range: Range<Int>, bytes: [UInt8])] = []
        for attribute in attributes {
            let name = tag.rebased(attribute.nameStart - base..<attribute.nameEnd - base)
            // HTML5 keeps the first of duplicate attributes, so a later href is not the link.
            if link == nil, equalsIgnoringCase(name, href) {
                link = attribute
            } else if name.count > msysPrefix.count, equalsIgnoringCase(name.rebased(0..<msysPrefix.count), msysPrefix) {
                let suffix = String(decoding: name.rebased(msysPrefix.count..<name.count).map(HTMLByte.lowercased), as: UTF8.self)
                annotations.take(suffix: suffix, value: tracker.label(value(of: attribute, in: tag, base: base)), seen: &seen)
                edits.append((removal(of: attribute, in: tag, base: base), []))
            }
        }
        if annotations.present { tracker.changed = true }
        if let link, let url = tracker.clickURL(raw: value(of: link, in: tag, base: base), annotations: annotations,
                                                writtenOpaque: tracker.isOpaque(written(link, in: tag, base: base))) {
            var bytes: [UInt8] = []
            if link.quote == 0 { bytes.append(HTMLByte.doubleQuote) }
            HTMLCharacterReferences.escapeAttribute(url, quote: link.quote == 0 ? HTMLByte.doubleQuote : link.quote, into: &bytes)
            if link.quote == 0 { bytes.append(HTMLByte.doubleQuote) }
            edits.append((link.valueStart - base..<link.valueEnd - base, bytes))
            edits.sort { $0.range.lowerBound < $1.range.lowerBound }
        }
        var copied = 0
        for edit in edits {
            out.appendSlice(of: tag, copied..<edit.range.lowerBound)
            out += edit.bytes
            copied = edit.range.upperBound
        }
        out.appendSlice(of: tag, copied..<tag.count)
    }

    /// The attribute's value as written (character references not decoded).
    private static func written(_ attribute: HTMLAttributeSpan, in tag: UnsafeRawBufferPointer, base: Int) -> UnsafeRawBufferPointer {
        guard attribute.valueStart >= 0 else { return tag.rebased(0..<0) }
        return tag.rebased(attribute.valueStart - base..<attribute.valueEnd - base)
    }

    /// The attribute's value, character references decoded; empty when it has none.
    private static func value(of attribute: HTMLAttributeSpan, in tag: UnsafeRawBufferPointer, base: Int) -> [UInt8] {
        guard attribute.valueStart >= 0 else { return [] }
        return HTMLCharacterReferences.decodeAttribute(tag.rebased(attribute.valueStart - base..<attribute.valueEnd - base))
    }

    /// The bytes to remove for an attribute: it and the whitespace before it, unless what
    /// follows is glued to it (`a="1"b="2"`, or a `/`): then the whitespace stays, so that a
    /// preceding unquoted value cannot run into what follows.
    private static func removal(of attribute: HTMLAttributeSpan, in tag: UnsafeRawBufferPointer, base: Int) -> Range<Int> {
        let end = attribute.end - base
        let next = tag[end]
        let start = HTMLByte.isSpace(next) || next == HTMLByte.greaterThan ? attribute.gapStart : attribute.nameStart
        return start - base..<end
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lower: [UInt8]) -> Bool {
        bytes.count == lower.count && zip(bytes, lower).allSatisfy { HTMLByte.lowercased($0) == $1 }
    }
}

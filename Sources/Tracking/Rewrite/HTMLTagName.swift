/// A tag name as the tokenizer reads it, lower-cased and packed into two words, so that it
/// is kept and compared without allocating. Names past 16 bytes are only counted: none of
/// the names the rewriter cares about is that long.
struct HTMLTagName: Equatable {
    /// Bytes 0-7 and 8-15, little-endian: "br" is 0x7262.
    private(set) var low: UInt64 = 0
    private(set) var high: UInt64 = 0
    private(set) var count = 0

    static let capacity = 16

    init() {}

    init(_ name: StaticString) {
        name.withUTF8Buffer { for byte in $0 { append(byte) } }
    }

    /// Adds a byte, lower-casing ASCII letters as HTML5 does.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        let lower = UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        if count < 8 {
            low |= lower << UInt64(count * 8)
        } else if count < Self.capacity {
            high |= lower << UInt64((count - 8) * 8)
        }
        count += 1
    }

    /// The byte at `index`, which must be below `min(count, capacity)`.
    subscript(index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: (index < 8 ? low >> UInt64(index * 8) : high >> UInt64((index - 8) * 8)))
    }

    mutating func removeAll() { self = HTMLTagName() }
}

/// What a tag name means to the rewriter.
enum HTMLTagKind: UInt8 {
    case other, a, area, vmlShape, body, html, br
    /// Elements HTML5 keeps in the head: they do not start the body.
    case headContent
    case title, textarea, style, script, xmp, iframe, noembed, noframes, plaintext
    /// A name longer than `HTMLTagName.capacity`.
    case long

    /// The kind of a name. The cases are the names packed as `HTMLTagName` packs them, so that
    /// the compiler can make the lookup a few comparisons: it runs once per tag.
    init(_ name: HTMLTagName) {
        if name.count > HTMLTagName.capacity {
            self = .long
        } else if name.count <= 8 {
            self = Self.short(name.low)
        } else {
            switch (name.low, name.high) {
            case (0x72646E756F723A76, 0x746365): self = .vmlShape  // v:roundrect
            case (0x7865746E69616C70, 0x74): self = .plaintext  // plaintext
            default: self = .other
            }
        }
    }

    private static func short(_ packed: UInt64) -> HTMLTagKind {
        switch packed {
        case 0x61: return .a  // a
        case 0x61657261: return .area  // area
        case 0x746365723A76: return .vmlShape  // v:rect
        case 0x6C61766F3A76: return .vmlShape  // v:oval
        case 0x65706168733A76: return .vmlShape  // v:shape
        case 0x79646F62: return .body  // body
        case 0x6C6D7468: return .html  // html
        case 0x7262: return .br  // br
        case 0x64616568: return .headContent  // head
        case 0x65736162: return .headContent  // base
        case 0x746E6F6665736162: return .headContent  // basefont
        case 0x646E756F736762: return .headContent  // bgsound
        case 0x6B6E696C: return .headContent  // link
        case 0x6174656D: return .headContent  // meta
        case 0x7470697263736F6E: return .headContent  // noscript
        case 0x6574616C706D6574: return .headContent  // template
        case 0x746573656D617266: return .headContent  // frameset
        case 0x656C746974: return .title  // title
        case 0x6165726174786574: return .textarea  // textarea
        case 0x656C797473: return .style  // style
        case 0x747069726373: return .script  // script
        case 0x706D78: return .xmp  // xmp
        case 0x656D61726669: return .iframe  // iframe
        case 0x6465626D656F6E: return .noembed  // noembed
        case 0x73656D6172666F6E: return .noframes  // noframes
        default: return .other
        }
    }

    /// How the tokenizer reads what follows this start tag (HTML5 switches in the tree builder).
    enum Content { case markup, rawText, scriptData, plaintext }

    var content: Content {
        switch self {
        case .title, .textarea, .style, .xmp, .iframe, .noembed, .noframes: return .rawText
        case .script: return .scriptData
        case .plaintext: return .plaintext
        default: return .markup
        }
    }

    /// Whether HTML5 can see this start tag before the body without starting the body.
    var allowedBeforeBody: Bool {
        switch self {
        case .html, .body, .headContent, .title, .style, .script, .noframes, .long: return true
        default: return false
        }
    }
}

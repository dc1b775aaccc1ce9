/// Momentum's brace-escape macros become the braces they stand for:
/// `{{opening_double_curly()}}` → `{{`, `{{closing_double_curly()}}` → `}}`,
/// `{{opening_triple_curly()}}` → `{{{`, `{{closing_triple_curly()}}` → `}}}` (spaces or tabs
/// may surround the name, as the template language allows). Other braces are left alone.
///
/// It runs as a streaming pass in front of both rewriters, as Momentum's template engine runs
/// before its click tracking: the tokenizer and the URL finder see the rendered braces, so a
/// macro inside an href becomes literal braces in the link's target (and in an untracked
/// href's value). Between pieces it holds back at most a partial macro (under 64 bytes).
struct BraceMacroFilter {
    /// Whether a macro was replaced so far.
    private(set) var replaced = false
    private var held: [UInt8] = []

    /// The longest macro text the filter recognises; longer candidates are not macros.
    private static let maxLength = 64
    private static let names: [(name: [UInt8], braces: [UInt8])] = [
        (Array("opening_double_curly".utf8), Array("{{".utf8)),
        (Array("closing_double_curly".utf8), Array("}}".utf8)),
        (Array("opening_triple_curly".utf8), Array("{{{".utf8)),
        (Array("closing_triple_curly".utf8), Array("}}}".utf8)),
    ]

    /// Passes `input` on to `sink` in pieces, macros replaced, keeping back a trailing partial macro.
    mutating func process(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        if !held.isEmpty {
            // Decide the held bytes with enough of the new piece to see any macro through.
            let take = min(input.count, Self.maxLength)
            var join = held
            join.appendSlice(of: input, 0..<take)
            let consumed = join.withUnsafeBytes { scan($0, final: false, sink) }
            if take == input.count {
                held = Array(join[consumed...])
                return
            }
            held.removeAll(keepingCapacity: true)
            start = consumed - (join.count - take)
        }
        let rest = input.rebased(start..<input.count)
        let consumed = scan(rest, final: false, sink)
        held.appendSlice(of: rest, consumed..<rest.count)
    }

    /// Passes on what was held back.
    mutating func finish(_ sink: (UnsafeRawBufferPointer) -> Void) {
        let bytes = held
        held = []
        _ = bytes.withUnsafeBytes { scan($0, final: true, sink) }
    }

    /// Sends the decided prefix of `buffer` to `sink` and returns its length; the rest may
    /// start a macro that the next piece completes.
    private mutating func scan(_ buffer: UnsafeRawBufferPointer, final: Bool, _ sink: (UnsafeRawBufferPointer) -> Void) -> Int {
        var i = 0
        var emitFrom = 0
        while let brace = ByteScan.first(UInt8(ascii: "{"), in: buffer, from: i) {
            switch Self.match(buffer, at: brace, final: final) {
            case .macro(let length, let braces):
                if emitFrom < brace { sink(buffer.rebased(emitFrom..<brace)) }
                braces.withUnsafeBytes { sink($0) }
                replaced = true
                i = brace + length
                emitFrom = i
            case .none:
                i = brace + 1
            case .needMore:
                if emitFrom < brace { sink(buffer.rebased(emitFrom..<brace)) }
                return brace
            }
        }
        if emitFrom < buffer.count { sink(buffer.rebased(emitFrom..<buffer.count)) }
        return buffer.count
    }

    private enum Match {
        case macro(length: Int, braces: [UInt8])
        case none
        case needMore
    }

    /// Whether a macro starts at `start`: `{{`, blanks, a name, `()`, blanks, `}}`.
    private static func match(_ buffer: UnsafeRawBufferPointer, at start: Int, final: Bool) -> Match {
        // Most braces (CSS, JSON-ish text) are not followed by another: decide those at once.
        if start + 1 < buffer.count, buffer[start + 1] != UInt8(ascii: "{") { return .none }
        let end = min(buffer.count, start + maxLength)
        let short: Match = final || end < buffer.count ? .none : .needMore
        var j = start
        func expect(_ byte: UInt8) -> Bool? {
            guard j < end else { return nil }
            guard buffer[j] == byte else { return false }
            j += 1
            return true
        }
        func skipBlanks() -> Bool {
            while j < end, buffer[j] == 0x20 || buffer[j] == 0x09 { j += 1 }
            return j < end
        }
        for byte in [UInt8(ascii: "{"), UInt8(ascii: "{")] {
            guard let ok = expect(byte) else { return short }
            if !ok { return .none }
        }
        guard skipBlanks() else { return short }
        let nameStart = j
        while j < end, buffer[j] == UInt8(ascii: "_") || (buffer[j] >= 0x61 && buffer[j] <= 0x7A) { j += 1 }
        guard j < end else { return short }
        let name = buffer.rebased(nameStart..<j)
        guard let braces = names.first(where: { $0.name.elementsEqual(name) })?.braces else { return .none }
        for byte in [UInt8(ascii: "("), UInt8(ascii: ")")] {
            guard let ok = expect(byte) else { return short }
            if !ok { return .none }
        }
        guard skipBlanks() else { return short }
        for byte in [UInt8(ascii: "}"), UInt8(ascii: "}")] {
            guard let ok = expect(byte) else { return short }
            if !ok { return .none }
        }
        return .macro(length: j - start, braces: braces)
    }
}

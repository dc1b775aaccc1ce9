// Why a hand-written tokenizer: the rewriter must copy every byte it does not rewrite
// exactly as it came (quoting, case, entities, invalid markup, NUL and 8-bit bytes in any
// ASCII-compatible charset) and must stream, holding back no more than an unfinished tag.
// No well-kept Swift library does both: HTML parsers build a tree and serialise it again
// (re-quoting attributes, re-encoding entities), and regular expressions cannot follow
// HTML5's comment, raw-text and script rules that decide what is markup at all. So this
// follows the HTML5 tokenizer's states closely (WHATWG HTML §13.2.5) but only records
// positions: the bytes themselves are passed through, or, for a link tag, edited in place.

/// The streaming HTML5 tokenizer behind `HTMLRewriter`. It emits bytes as soon as they are
/// decided; it holds back only a tag from its `<` until its name is known, and a link tag
/// (`<a>`, `<area>`, VML shapes in conditional comments) until its `>`.
struct HTMLTokenizer {
    var tracker: LinkTracker
    let wantsTop: Bool
    let wantsBottom: Bool

    // The state machine.
    var state = HTMLTokenizerState.data
    /// Inside `<!--[if ...]> ... -->`: the content is tokenized as markup (Outlook renders
    /// it), and `outerComment` watches for the end of the comment, which wins over the markup.
    var conditional = false
    var outerComment = CommentEnd.text
    var comment = CommentEnd.text
    /// Progress through a literal being matched (markup declaration, `[if`).
    var matched = 0
    /// Markup declaration candidates still possible: bit 0 `--`, 1 `DOCTYPE`, 2 `[CDATA[`.
    var declarationCandidates: UInt8 = 0
    /// The name of the element whose raw text we are in, and the progress of a candidate end tag.
    var rawName = HTMLTagName()
    var rawMatched = 0
    var rawPossible = false

    // The current tag.
    var name = HTMLTagName()
    var kind = HTMLTagKind.other
    var isEndTag = false
    var tagStart = 0
    /// Whether the current tag is too long to hold: it is copied as it is.
    var tagOverlong = false
    /// Whether attribute positions are being recorded (a link tag).
    var recording = false
    var attributes: [HTMLAttributeSpan] = []
    /// Start of the whitespace run before a possible attribute name; -1 when none.
    var whitespaceStart = -1

    // Holding back and emitting.
    var holding = false
    /// Where the held tag starts in the current piece (0 when it began in an earlier one).
    var holdStart = 0
    /// The held bytes from earlier pieces.
    var carry: [UInt8] = []
    /// The first byte of the current piece not yet emitted (when not holding).
    var emitFrom = 0
    /// Absolute offset of the current piece.
    var pieceStart = 0

    // Open pixels.
    /// Waiting for the start of the body to place the top pixel.
    var watchingBody: Bool
    var topAfterTag = false
    var topPlaced = false
    var bottomPlaced = false

    /// A tag longer than this is copied without rewriting (the link counts as `too_long`),
    /// so that an unfinished `<a` cannot make the rewriter hold the rest of a large part.
    static let maxHeldTag = 64 * 1024

    init(tracker: LinkTracker) {
        self.tracker = tracker
        let placement = tracker.options.openPixels
        wantsTop = placement == .top || placement == .both
        wantsBottom = placement == .bottom || placement == .both
        watchingBody = wantsTop
    }

    @inline(__always)
    func absolute(_ index: Int) -> Int { pieceStart + index }

    /// Tokenizes one piece, appending what is decided to `out`.
    mutating func feed(_ buf: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = buf.count
        emitFrom = 0
        holdStart = 0
        var i = 0
        while i < n {
            i = conditional ? feedConditional(buf, from: i, into: &out) : run(buf, from: i, to: n, into: &out)
        }
        endPiece(buf, into: &out)
    }

    /// Runs the states over `buf[start..<limit]`, skipping at memory speed through the runs in
    /// which nothing can happen. Returns where it stopped: at `limit`, or where a conditional
    /// comment starts.
    private mutating func run(_ buf: UnsafeRawBufferPointer, from start: Int, to limit: Int, into out: inout [UInt8]) -> Int {
        let inConditional = conditional
        var i = start
        while i < limit, conditional == inConditional {
            switch state {
            case .data where !watchingBody || conditional:
                guard let lt = ByteScan.first(HTMLByte.lessThan, in: buf, from: i, to: limit) else { return limit }
                beginHold(at: lt, buf, into: &out)
                state = .tagOpen
                i = lt + 1
            case .tagName:
                while i < limit {
                    let byte = buf[i]
                    if HTMLByte.isSpace(byte) || byte == HTMLByte.slash || byte == HTMLByte.greaterThan { break }
                    name.append(byte)
                    i += 1
                }
                if i < limit, step(buf[i], at: i, buf, into: &out) { i += 1 }
            case .attributeName:
                while i < limit {
                    let byte = buf[i]
                    if HTMLByte.isSpace(byte) || byte == HTMLByte.slash || byte == HTMLByte.greaterThan || byte == HTMLByte.equals { break }
                    i += 1
                }
                if i < limit, step(buf[i], at: i, buf, into: &out) { i += 1 }
            case .attributeValueDoubleQuoted, .attributeValueSingleQuoted:
                let quote = state == .attributeValueDoubleQuoted ? HTMLByte.doubleQuote : HTMLByte.singleQuote
                guard let close = ByteScan.first(quote, in: buf, from: i, to: limit) else { return limit }
                endValue(at: close, quoted: true)
                state = .afterAttributeValueQuoted
                i = close + 1
            case .attributeValueUnquoted:
                while i < limit, !HTMLByte.isSpace(buf[i]), buf[i] != HTMLByte.greaterThan { i += 1 }
                if i < limit, step(buf[i], at: i, buf, into: &out) { i += 1 }
            case .comment where comment == .text:
                guard let dash = ByteScan.first(HTMLByte.dash, in: buf, from: i, to: limit) else { return limit }
                comment = .dash
                i = dash + 1
            case .bogusComment:
                guard let gt = ByteScan.first(HTMLByte.greaterThan, in: buf, from: i, to: limit) else { return limit }
                state = .data
                i = gt + 1
            case .rawText, .scriptData:
                guard let lt = ByteScan.first(HTMLByte.lessThan, in: buf, from: i, to: limit) else { return limit }
                state = state == .rawText ? .rawTextLessThanSign : .scriptDataLessThanSign
                i = lt + 1
            case .plaintext:
                return limit
            default:
                if step(buf[i], at: i, buf, into: &out) { i += 1 }
            }
        }
        return i
    }

    /// The content of a conditional comment: every byte goes to the comment-end watcher
    /// first, then to the markup states. Only a `-` can start the comment's end, so the
    /// stretches without one run at full speed.
    private mutating func feedConditional(_ buf: UnsafeRawBufferPointer, from start: Int, into out: inout [UInt8]) -> Int {
        var i = start
        while i < buf.count {
            if outerComment == .text {
                let horizon = ByteScan.first(HTMLByte.dash, in: buf, from: i, to: buf.count) ?? buf.count
                if horizon > i {
                    i = run(buf, from: i, to: horizon, into: &out)
                    continue
                }
            }
            let byte = buf[i]
            if outerComment.closes(after: byte) {
                // The comment ends here whatever the markup inside was doing: an unfinished tag is
                // copied as it is.
                releaseHold(into: &out)
                recording = false
                tagOverlong = false
                conditional = false
                state = .data
                return i + 1
            }
            while !step(byte, at: i, buf, into: &out) {}
            i += 1
        }
        return i
    }

    /// At the end of a piece: emit what is decided, keep a held tag for the next piece.
    private mutating func endPiece(_ buf: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = buf.count
        if holding {
            if absolute(n) - tagStart > Self.maxHeldTag {
                // Too long already, whatever follows: stop holding it.
                releaseHold(into: &out)
                markOverlong()
                out.appendSlice(of: buf, emitFrom..<n)
            } else {
                carry.appendSlice(of: buf, holdStart..<n)
            }
        } else {
            out.appendSlice(of: buf, emitFrom..<n)
        }
        pieceStart += n
    }

    /// The end of the part: an unfinished tag is copied as it is, and pixels not yet placed go
    /// at the end, unless the part ends inside a comment, raw text or a tag, which would hide them.
    mutating func finish(into out: inout [UInt8]) {
        if !conditional, state == .tagOpen || state == .endTagOpen {
            // A trailing `<` or `</` is text.
            if watchingBody { placeTop(before: nil, into: &out) }
            state = .data
        }
        releaseHold(into: &out)
        guard !conditional, state == .data else { return }
        if wantsTop, !topPlaced { placeTop(before: nil, into: &out) }
        if wantsBottom, !bottomPlaced { placeBottom(into: &out) }
    }

    // MARK: Holding back

    /// Starts holding a tag at `index`: what comes before it is emitted.
    @inline(__always)
    mutating func beginHold(at index: Int, _ buf: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.appendSlice(of: buf, emitFrom..<index)
        emitFrom = index
        holdStart = index
        holding = true
        tagStart = absolute(index)
        tagOverlong = false
    }

    /// Stops holding without rewriting: the held bytes are emitted as they are.
    @inline(__always)
    mutating func releaseHold(into out: inout [UInt8]) {
        guard holding else { return }
        out += carry
        carry.removeAll(keepingCapacity: true)
        holding = false
        emitFrom = holdStart
    }

    private mutating func markOverlong() {
        tagOverlong = true
        if recording {
            recording = false
            tracker.skipTooLong()
        }
    }

    // MARK: Tags

    mutating func beginTagName(_ byte: UInt8, isEnd: Bool) {
        name.removeAll()
        name.append(byte)
        isEndTag = isEnd
        state = .tagName
    }

    /// The tag's name is complete (at `index`): place pixels that go before the tag, and
    /// decide whether to keep holding it.
    mutating func endTagName(at index: Int, _ buf: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        kind = HTMLTagKind(name)
        if absolute(index) - tagStart > Self.maxHeldTag { tagOverlong = true }
        if !conditional, !tagOverlong { placePixels(forTagAt: index, buf, into: &out) }
        let isLink = kind == .a || kind == .area || (kind == .vmlShape && conditional)
        if isLink, !isEndTag, !tagOverlong {
            recording = true
            attributes.removeAll(keepingCapacity: true)
        } else {
            if isLink, !isEndTag { tracker.skipTooLong() }
            recording = false
            releaseHold(into: &out)
        }
    }

    /// The tag ends with the `>` at `index`.
    mutating func finishTag(at index: Int, _ buf: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        if recording {
            recording = false
            if absolute(index) + 1 - tagStart > Self.maxHeldTag {
                tracker.skipTooLong()
                releaseHold(into: &out)
            } else {
                if carry.isEmpty {
                    HTMLLinkTag.rewrite(buf.rebased(holdStart..<index + 1), base: tagStart, attributes: attributes,
                                        tracker: &tracker, into: &out)
                } else {
                    carry.appendSlice(of: buf, holdStart..<index + 1)
                    carry.withUnsafeBytes {
                        HTMLLinkTag.rewrite($0, base: tagStart, attributes: attributes, tracker: &tracker, into: &out)
                    }
                    carry.removeAll(keepingCapacity: true)
                }
                holding = false
                emitFrom = index + 1
            }
        }
        if topAfterTag {
            topAfterTag = false
            out.appendSlice(of: buf, emitFrom..<index + 1)
            emitFrom = index + 1
            placeTop(before: nil, into: &out)
        }
        tagOverlong = false
        state = .data
        guard !isEndTag else { return }
        switch kind.content {
        case .markup:
            break
        case .rawText:
            rawName = name
            state = .rawText
        case .scriptData:
            rawName = name
            state = .scriptData
        case .plaintext:
            state = .plaintext
        }
    }
}

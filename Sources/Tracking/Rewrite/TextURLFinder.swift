/// The streaming URL finder behind `TextRewriter`. Text is copied through; from an `http://`
/// or `https://` (any case, not preceded by a letter or digit) it holds the URL and what may
/// follow it until the URL and its `[[data-msys-NAME="VALUE"]]` annotations (each right
/// after the URL or the previous one, optionally after one space) are complete.
struct TextURLFinder {
    var tracker: LinkTracker

    private enum State {
        case text, scheme, url, urlUTF8
        /// Matching `[[data-msys-` inside a URL: a mismatch leaves the bytes in the URL.
        case urlMarker
        /// After the URL (or an annotation) and one space: only `[` may follow.
        case afterSpace
        /// Matching `[[data-msys-` after the URL or an annotation.
        case marker
        case annotationName, annotationQuote, annotationValue, annotationClose
        /// After an annotation's `]]`.
        case afterAnnotation
        /// In a URL too long to hold: copied as it is.
        case skipping
        /// After a URL whose annotations were dropped: holding the bytes a reader would trim
        /// from the URL's end, until it is known whether what follows runs into the URL.
        case afterDroppedAnnotations
    }

    private var state = State.text
    /// The byte before the current one, outside held URLs.
    private var previous: UInt8 = 0x0A
    /// The URL and what follows it, from the scheme on.
    private var held: [UInt8] = []
    private var schemeMatched = 0
    private var schemeHasS = false
    private var precededByLessThan = false
    /// The URL is `held[0..<urlEnd]` once it has ended.
    private var urlEnd = 0
    /// `held[urlEnd..<keptEnd]` are complete annotations (and the spaces before them).
    private var keptEnd = 0
    /// Whether the URL is written `<URL>`: then nothing is trimmed from its end.
    private var angleBracketed = false
    private var markerStart = 0
    private var markerMatched = 0
    private var utf8Start = 0
    private var utf8Needed = 0
    private var utf8Scalar: UInt32 = 0
    private var annotationNameStart = 0
    private var annotationValueStart = 0
    private var annotationCloses = 0
    private var annotations: [(suffix: String, value: [UInt8])] = []
    /// The URL as written before dropped annotations, and the bytes held after it.
    private var droppedCore: [UInt8] = []
    private var droppedTail: [UInt8] = []
    private var droppedAfterLessThan = false
    /// Bytes that end a URL only when nothing but URL-ending bytes follow them (`trimmedEnd`).
    private static let trimmable = Array(".,;:!?')]}".utf8)

    private static let scheme = Array("http://".utf8)
    private static let marker = Array("[[data-msys-".utf8)
    /// A URL longer than this is copied without rewriting (counted as `too_long`).
    static let maxURL = 16 * 1024
    private static let maxAnnotationName = 32
    private static let maxAnnotationValue = 1024

    init(tracker: LinkTracker) {
        self.tracker = tracker
    }

    mutating func feed(_ buf: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = buf.count
        var i = 0
        while i < n {
            if state == .text {
                // Copy through to the next possible scheme.
                let start = i
                var previous = self.previous
                while i < n {
                    let byte = buf[i]
                    if byte | 0x20 == UInt8(ascii: "h"), !HTMLByte.isAlphanumeric(previous) { break }
                    previous = byte
                    i += 1
                }
                self.previous = previous
                out.appendSlice(of: buf, start..<i)
                if i == n { break }
            } else if state == .url {
                // Gather the URL's plain bytes in one append; the byte that ends it, starts a
                // marker, is not ASCII or would pass `maxURL` goes through `stepURL`.
                let start = i
                let end = min(n, i + max(0, Self.maxURL - held.count))
                while i < end, Self.isPlainURLByte(buf[i]) { i += 1 }
                held.appendSlice(of: buf, start..<i)
                if i == n { break }
            }
            consume(buf[i], into: &out)
            i += 1
        }
    }

    mutating func finish(into out: inout [UInt8]) {
        while state != .text {
            switch state {
            case .text, .skipping:
                state = .text
            case .afterDroppedAnnotations:
                settleDroppedAnnotations(before: nil, into: &out)
            case .scheme:
                out += held
                held.removeAll()
                state = .text
            case .url, .urlMarker:
                endURL(at: held.count, before: nil)
                finalize(into: &out)
            case .urlUTF8:
                endURL(at: utf8Start, before: nil)
                finalize(into: &out)
            default:
                finalize(into: &out)
            }
        }
    }

    /// An ASCII byte that neither ends a URL nor may start a `[[data-msys-` marker.
    @inline(__always)
    private static func isPlainURLByte(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != UInt8(ascii: "[") && !TextURLBounds.endsURL(byte)
    }

    private mutating func consume(_ byte: UInt8, into out: inout [UInt8]) {
        while !step(byte, into: &out) {}
    }

    /// One byte; false means "look at it again in the new state".
    private mutating func step(_ byte: UInt8, into out: inout [UInt8]) -> Bool {
        switch state {
        case .text:
            if byte | 0x20 == UInt8(ascii: "h"), !HTMLByte.isAlphanumeric(previous) {
                precededByLessThan = previous == UInt8(ascii: "<")
                held = [byte]
                schemeMatched = 1
                schemeHasS = false
                state = .scheme
            } else {
                out.append(byte)
            }
            previous = byte
            return true
        case .scheme:
            let lower = HTMLByte.lowercased(byte)
            if schemeMatched == 4, !schemeHasS, lower == UInt8(ascii: "s") {
                schemeHasS = true
            } else if lower == Self.scheme[schemeMatched] {
                schemeMatched += 1
                if schemeMatched == Self.scheme.count { state = .url }
            } else {
                out += held
                previous = held[held.count - 1]
                held.removeAll()
                state = .text
                return false
            }
            held.append(byte)
            return true
        case .url:
            return stepURL(byte, into: &out)
        case .urlUTF8:
            return stepUTF8(byte, into: &out)
        case .urlMarker, .marker:
            if HTMLByte.lowercased(byte) == Self.marker[markerMatched] {
                held.append(byte)
                markerMatched += 1
                if markerMatched == Self.marker.count {
                    if state == .urlMarker { endURL(at: markerStart, before: nil) }
                    annotationNameStart = held.count
                    state = .annotationName
                }
                return true
            }
            guard state == .urlMarker else { return finalize(into: &out) }
            if markerMatched == 2, byte == UInt8(ascii: "[") {
                // `[[[`: the marker may start one byte later.
                held.append(byte)
                markerStart += 1
                return true
            }
            state = .url
            return false
        case .afterSpace:
            guard byte == UInt8(ascii: "[") else { return finalize(into: &out) }
            beginMarker(byte)
            return true
        case .afterAnnotation:
            if byte == UInt8(ascii: " ") {
                held.append(byte)
                state = .afterSpace
                return true
            }
            guard byte == UInt8(ascii: "[") else { return finalize(into: &out) }
            beginMarker(byte)
            return true
        case .annotationName:
            let nameLength = held.count - annotationNameStart
            if byte == UInt8(ascii: "="), nameLength > 0 {
                held.append(byte)
                state = .annotationQuote
                return true
            }
            guard HTMLByte.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_"),
                  nameLength < Self.maxAnnotationName else { return finalize(into: &out) }
            held.append(byte)
            return true
        case .annotationQuote:
            guard byte == UInt8(ascii: "\"") else { return finalize(into: &out) }
            held.append(byte)
            annotationValueStart = held.count
            state = .annotationValue
            return true
        case .annotationValue:
            if byte == UInt8(ascii: "\"") {
                held.append(byte)
                annotationCloses = 0
                state = .annotationClose
                return true
            }
            guard byte >= 0x20 || byte == 0x09, held.count - annotationValueStart < Self.maxAnnotationValue else {
                return finalize(into: &out)
            }
            held.append(byte)
            return true
        case .annotationClose:
            guard byte == UInt8(ascii: "]") else { return finalize(into: &out) }
            held.append(byte)
            annotationCloses += 1
            if annotationCloses == 2 {
                let name = held[annotationNameStart..<held.count - 1].prefix { $0 != UInt8(ascii: "=") }
                let value = Array(held[annotationValueStart..<held.count - 3])
                annotations.append((String(decoding: name.map(HTMLByte.lowercased), as: UTF8.self), value))
                keptEnd = held.count
                state = .afterAnnotation
            }
            return true
        case .afterDroppedAnnotations:
            // Bounded like a URL: past that the run is settled as if text followed (with a space).
            if Self.trimmable.contains(byte), droppedTail.count < Self.maxURL {
                droppedTail.append(byte)
                return true
            }
            settleDroppedAnnotations(before: byte, into: &out)
            return false
        case .skipping:
            if TextURLBounds.endsURL(byte) || byte >= 0x80 {
                state = .text
                return false
            }
            out.append(byte)
            previous = byte
            return true
        }
    }

    private mutating func beginMarker(_ byte: UInt8) {
        markerStart = held.count
        markerMatched = 1
        held.append(byte)
        state = .marker
    }

    private mutating func stepURL(_ byte: UInt8, into out: inout [UInt8]) -> Bool {
        if byte >= 0x80, tracker.options.nonASCIIBytes == .opaque {
            // An ISO-2022 escape (or JIS-Roman's YEN SIGN / OVERLINE): the URL ends before it.
            endURL(at: held.count, before: byte)
            return finalize(into: &out)
        }
        if byte >= 0x80 {
            utf8Start = held.count
            switch byte {
            case 0xC2...0xDF: utf8Needed = 1; utf8Scalar = UInt32(byte & 0x1F)
            case 0xE0...0xEF: utf8Needed = 2; utf8Scalar = UInt32(byte & 0x0F)
            case 0xF0...0xF4: utf8Needed = 3; utf8Scalar = UInt32(byte & 0x07)
            default:
                // Not UTF-8 (a legacy 8-bit charset, which is unknown here): the URL ends.
                endURL(at: held.count, before: byte)
                return finalize(into: &out)
            }
            held.append(byte)
            state = .urlUTF8
            return true
        }
        if TextURLBounds.endsURL(byte) {
            endURL(at: held.count, before: byte)
            if byte == UInt8(ascii: " ") {
                held.append(byte)
                state = .afterSpace
                return true
            }
            return finalize(into: &out)
        }
        if byte == UInt8(ascii: "[") {
            markerStart = held.count
            markerMatched = 1
            state = .urlMarker
        }
        held.append(byte)
        if held.count > Self.maxURL {
            out += held
            previous = byte
            held.removeAll()
            tracker.skipTooLong()
            state = .skipping
        }
        return true
    }

    private mutating func stepUTF8(_ byte: UInt8, into out: inout [UInt8]) -> Bool {
        guard byte & 0xC0 == 0x80 else {
            endURL(at: utf8Start, before: nil)
            return finalize(into: &out)
        }
        held.append(byte)
        utf8Scalar = utf8Scalar << 6 | UInt32(byte & 0x3F)
        utf8Needed -= 1
        guard utf8Needed == 0 else { return true }
        let length = held.count - utf8Start
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard utf8Scalar >= minimum, let scalar = Unicode.Scalar(utf8Scalar), !TextURLBounds.endsURL(scalar) else {
            endURL(at: utf8Start, before: nil)
            _ = finalize(into: &out)
            return true
        }
        state = .url
        return true
    }

    /// The URL is `held[0..<end]`; `next` is the byte right after it, when that is known.
    private mutating func endURL(at end: Int, before next: UInt8?) {
        urlEnd = end
        keptEnd = end
        angleBracketed = precededByLessThan && next == UInt8(ascii: ">")
        annotations.removeAll()
    }

    /// Writes the URL (rewritten when it qualifies) and drops its annotations; the held bytes
    /// after them go through again as text. Returns false: the current byte is looked at again.
    @discardableResult
    private mutating func finalize(into out: inout [UInt8]) -> Bool {
        var dropped = false
        let url = held[0..<urlEnd]
        let bodyStart = schemeHasS ? 8 : 7
        let end = angleBracketed ? urlEnd : TextURLBounds.trimmedEnd(url, bodyStart: bodyStart)
        // Nothing after `://`: not a URL, and so not annotated: what looked like its
        // annotations is text, read again like any other (a URL inside is found).
        let textFrom = end <= bodyStart ? urlEnd : keptEnd
        let leftover = Array(held[textFrom...])
        if end <= bodyStart {
            out += held[0..<urlEnd]
        } else {
            var found = LinkAnnotations()
            var seen = Set<String>()
            for annotation in annotations {
                found.take(suffix: annotation.suffix, value: tracker.label(annotation.value), seen: &seen)
            }
            if found.present { tracker.changed = true }
            let target = Array(held[0..<end])
            let core = tracker.clickURL(raw: target, annotations: found).map { Array($0.utf8) } ?? target
            out += core
            if keptEnd > urlEnd {
                // The annotations kept the URL apart from what follows; without them it could run on.
                droppedCore = core
                droppedTail = Array(held[end..<urlEnd])
                droppedAfterLessThan = precededByLessThan
                dropped = true
            } else {
                out += held[end..<urlEnd]
            }
        }
        if textFrom > 0 { previous = held[textFrom - 1] }
        held.removeAll(keepingCapacity: true)
        annotations.removeAll()
        state = dropped ? .afterDroppedAnnotations : .text
        for byte in leftover { consume(byte, into: &out) }
        return false
    }

    /// Writes the bytes held after a URL whose annotations were dropped, with one space in
    /// front of them when a reader would otherwise take them (or `next`) into the URL.
    private mutating func settleDroppedAnnotations(before next: UInt8?, into out: inout [UInt8]) {
        let continues = next.map { !TextURLBounds.endsURL($0) } ?? false
        let bodyStart = LinkTarget.webSchemeLength(droppedCore) ?? 0
        // `<URL>` is read whole, untrimmed: then nothing may stand between the URL and the `>`.
        let angleBracketed = droppedAfterLessThan && next == UInt8(ascii: ">")
        let readsAlone = !continues && (angleBracketed ? droppedTail.isEmpty
            : TextURLBounds.trimmedEnd((droppedCore + droppedTail)[...], bodyStart: bodyStart) == droppedCore.count)
        if !readsAlone { out.append(UInt8(ascii: " ")) }
        out += droppedTail
        previous = droppedTail.last ?? (readsAlone ? droppedCore.last ?? previous : UInt8(ascii: " "))
        droppedCore.removeAll()
        droppedTail.removeAll()
        state = .text
    }
}

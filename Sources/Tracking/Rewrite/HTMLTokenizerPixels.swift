/// Open pixels: where HTML5 would see the body start and end.
extension HTMLTokenizer {
    /// Pixels that a tag places: the top one before the first tag that starts the body (or
    /// after an explicit `<body>`), the bottom one before the first `</body>` (or `</html>`).
    mutating func placePixels(forTagAt index: Int, _ buf: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        if isEndTag {
            let closesDocument = kind == .body || kind == .html
            // HTML5 starts an implied body at `</body>`, `</html>` and `</br>`.
            if watchingBody, closesDocument || kind == .br { placeTop(before: index, into: &out) }
            if wantsBottom, !bottomPlaced, closesDocument { placeBottom(into: &out) }
        } else if watchingBody {
            if kind == .body {
                watchingBody = false
                topAfterTag = true
            } else if !kind.allowedBeforeBody {
                placeTop(before: index, into: &out)
            }
        }
    }

    /// Places the top pixel before the byte at `index` of the current piece (nil: at the
    /// end of what was emitted). When a tag is held, what was emitted ends right before it.
    mutating func placeTop(before index: Int?, _ buf: UnsafeRawBufferPointer? = nil, into out: inout [UInt8]) {
        watchingBody = false
        guard !topPlaced else { return }
        topPlaced = true
        if let index, let buf, !holding {
            out.appendSlice(of: buf, emitFrom..<index)
            emitFrom = index
        }
        if let url = tracker.openURL(initial: true) { out += OpenPixel.markup(url: url) }
    }

    mutating func placeBottom(into out: inout [UInt8]) {
        bottomPlaced = true
        if let url = tracker.openURL(initial: false) { out += OpenPixel.markup(url: url) }
    }
}

extension MIMERewriter {
    /// Splits a chunk into line pieces without copying: an ordinary line goes out as it is
    /// found (in pieces when it spans chunks); a line starting with "--" inside a multipart
    /// is gathered whole first, since it may be a delimiter.
    func scan(_ chunk: UnsafeRawBufferPointer) {
        var i = 0
        let n = chunk.count
        while i < n {
            if case .passthrough = state { return }
            if carrying {
                if carry.count == 1 && chunk[i] != MIMEBytes.dash {
                    releaseCarry()  // "-" then something else: an ordinary line after all
                    continue
                }
                if let lf = MIMEBytes.index(of: MIMEBytes.lf, in: chunk, from: i) {
                    carry.appendMIMEBytes(UnsafeRawBufferPointer(rebasing: chunk[i...lf]))
                    i = lf + 1
                    finishCarry(complete: true)
                } else {
                    carry.appendMIMEBytes(UnsafeRawBufferPointer(rebasing: chunk[i..<n]))
                    i = n
                    if carry.count > maxDelimiterLine { releaseCarry() }
                }
                continue
            }
            if atLineStart, !levels.isEmpty, chunk[i] == MIMEBytes.dash, i + 1 == n || chunk[i + 1] == MIMEBytes.dash {
                carrying = true
                continue
            }
            if case .copy = state {
                let end = copyRunEnd(chunk, from: i)
                if end > i {
                    copy(UnsafeRawBufferPointer(rebasing: chunk[i..<end]), inChunk: true)
                    atLineStart = chunk[end - 1] == MIMEBytes.lf
                    i = end
                    continue
                }
            }
            let lineStart = i
            if let lf = MIMEBytes.index(of: MIMEBytes.lf, in: chunk, from: i) {
                i = lf + 1
                atLineStart = true
                handlePiece(UnsafeRawBufferPointer(rebasing: chunk[lineStart..<i]), lineEnd: true, inChunk: true)
            } else {
                i = n
                atLineStart = false
                handlePiece(UnsafeRawBufferPointer(rebasing: chunk[lineStart..<n]), lineEnd: false, inChunk: true)
            }
        }
    }

    /// The fast path for bytes that are only copied (attachments, preamble, epilogue): where
    /// the next line starting with "-" begins (a possible delimiter), or the chunk's end.
    /// Searching for "-" and checking the byte before skips a whole base64 attachment, which
    /// has no "-", in one memchr per chunk instead of a step per line.
    func copyRunEnd(_ chunk: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard !levels.isEmpty else { return chunk.count }
        // A "-" right at a line start here was already found not to begin a delimiter.
        var from = start + 1
        while let dash = MIMEBytes.index(of: MIMEBytes.dash, in: chunk, from: from) {
            if chunk[dash - 1] == MIMEBytes.lf { return dash }
            from = dash + 1
        }
        return chunk.count
    }

    /// The gathered "--" line is complete (or the body ended): a delimiter, or an ordinary line.
    func finishCarry(complete: Bool) {
        let line = carry
        carry = []
        carrying = false
        atLineStart = complete
        line.withUnsafeBytes { line in
            for k in levels.indices.reversed() {
                if let delimiter = levels[k].delimiter(line) {
                    handleDelimiter(level: k, delimiter, line: line)
                    return
                }
            }
            handlePiece(line, lineEnd: complete, inChunk: false)
        }
    }

    /// The gathered bytes cannot be a delimiter: pass them on as the start of an ordinary line.
    func releaseCarry() {
        let piece = carry
        carry = []
        carrying = false
        atLineStart = false
        piece.withUnsafeBytes { handlePiece($0, lineEnd: false, inChunk: false) }
    }

    /// Copies bytes to the output; bytes of the current chunk join the pending run.
    func copy(_ piece: UnsafeRawBufferPointer, inChunk: Bool) {
        guard let base = piece.baseAddress, !piece.isEmpty else { return }
        if inChunk {
            if let start = runStart, start + runCount == base {
                runCount += piece.count
            } else {
                flushRun()
                runStart = base
                runCount = piece.count
            }
        } else {
            flushRun()
            write(piece)
        }
    }

    /// Appends bytes to the output after the pending run.
    func emit(_ bytes: [UInt8]) {
        flushRun()
        bytes.withUnsafeBytes { write($0) }
    }

    func flushRun() {
        guard let start = runStart else { return }
        runStart = nil
        write(UnsafeRawBufferPointer(start: start, count: runCount))
    }

    /// The one place bytes go to `output`. A sink that cannot keep them ends the work on
    /// the message: it passes unchanged, and the result says why.
    func write(_ bytes: UnsafeRawBufferPointer) {
        if case .passthrough = state { return }
        guard !bytes.isEmpty else { return }
        do { try output.append(bytes) } catch {
            outputFailure = "\(error)"
            giveUp(reason: "the new body could not be kept: \(error)")
        }
    }
}

extension MIMERewriter {
    /// Hands a line piece to whatever the current state is.
    func handlePiece(_ piece: UnsafeRawBufferPointer, lineEnd: Bool, inChunk: Bool) {
        switch state {
        case .copy:
            copy(piece, inChunk: inChunk)
        case .headers(let block, let path, let inDigest):
            switch block.append(piece, lineEnd: lineEnd) {
            case .more:
                break
            case .complete:
                let kind = MIMEEntityKind.classify(MIMEHeaderFields(block: block.bytes), inDigest: inDigest, leaveSigned: leaveSignedParts)
                begin(kind, header: block.bytes, path: path, topLevel: false)
            case .malformed:
                note(path, .malformedHeader)
                emit(block.bytes)
                state = .copy
            }
        case .displayed(let part, _, _):
            if part.consume(piece, lineEnd: lineEnd) { checkWhileRewriting(part) }
        case .passthrough:
            break
        }
    }

    /// Starts an entity's body once its header is known.
    func begin(_ kind: MIMEEntityKind, header: [UInt8], path: String, topLevel: Bool) {
        state = .copy
        switch kind {
        case .multipart(let boundary, let isDigest):
            guard levels.count < limits.maxDepth else {
                stop(.depth)
                return
            }
            emit(header)
            levels.append(MIMEMultipartLevel(boundary: boundary, isDigest: isDigest, path: topLevel ? "" : path))
            updateMaxDelimiterLine()
        case .displayed(let kind, let charset, let encoding):
            displayedParts += 1
            let part = DisplayedPart(kind: kind, charset: charset, htmlIndex: kind == .html ? htmlParts : nil)
            if kind == .html { htmlParts += 1 }
            guard let rewriter = makeRewriter(part) else {
                emit(header)
                return
            }
            let processor = MIMEDisplayedPartProcessor(
                header: header, encoding: encoding, charset: charset, rewriter: rewriter)
            state = .displayed(processor, path: path, topLevel: topLevel)
        case .other:
            emit(header)
        case .leftAlone(let reason):
            note(path, reason)
            emit(header)
        }
    }

    /// A delimiter of `levels[level]`: ends the current part (and any multiparts nested in
    /// it that never closed), then opens the next part or, for a close delimiter, the epilogue.
    func handleDelimiter(level: Int, _ delimiter: MIMEMultipartLevel.Delimiter, line: UnsafeRawBufferPointer) {
        endPart(atDelimiter: true)
        if case .passthrough = state { return }
        levels.removeSubrange((level + 1)...)
        copy(line, inChunk: false)
        switch delimiter {
        case .close:
            levels.removeLast()
            updateMaxDelimiterLine()
        case .open:
            partCount += 1
            guard partCount <= limits.maxParts else {
                stop(.parts)
                return
            }
            let path = levels[level].nextChildPath
            levels[level].parts += 1
            state = .headers(MIMEHeaderBlock(), path: path, inDigest: levels[level].isDigest)
        }
    }

    /// Ends the current entity at a delimiter (`atDelimiter`) or the end of the body.
    func endPart(atDelimiter: Bool) {
        switch state {
        case .headers(let block, _, _):
            emit(block.bytes)  // a part cut short inside its header
        case .displayed(let part, let path, let topLevel):
            finishDisplayed(part, path: path, topLevel: topLevel, atDelimiter: atDelimiter)
        case .copy, .passthrough:
            return
        }
        if case .passthrough = state { return }
        state = .copy
    }

    private func finishDisplayed(_ part: MIMEDisplayedPartProcessor, path: String, topLevel: Bool, atDelimiter: Bool) {
        var outcome = part.finish(atDelimiter: atDelimiter)
        var failure = part.failure
        if case .rewritten(_, let body, _) = outcome, failure == nil, containsDelimiter(body) {
            outcome = .unchanged
            failure = .wouldMakeDelimiter
        }
        // A part left as it came counts nothing (links it had rewritten before its data
        // turned out bad are not in the output).
        if let failure { note(path, failure) } else { statistics.add(part.statistics) }
        switch outcome {
        case .unchanged:
            emit(part.header)
            emit(part.original)
        case .rewritten(let header, let body, let switched):
            partsRewritten += 1
            emit(header)
            emit(body)
            if switched && topLevel { headerChanges.append((name: "Content-Transfer-Encoding", value: "quoted-printable")) }
        }
        checkWhileRewriting(nil)
    }

    /// Whether a line of `body` (which starts at a line start) is a delimiter line of an open
    /// multipart. The original part had none (its first one ended it), but re-encoding can
    /// make one: a quoted-printable soft break that split `--boundary` is gone once decoded,
    /// and the encoder writes the line whole.
    func containsDelimiter(_ body: [UInt8]) -> Bool {
        guard !levels.isEmpty else { return false }
        return body.withUnsafeBytes { bytes in
            var start = 0
            while start < bytes.count {
                let end = MIMEBytes.index(of: MIMEBytes.lf, in: bytes, from: start).map { $0 + 1 } ?? bytes.count
                if end - start >= 2, bytes[start] == MIMEBytes.dash, bytes[start + 1] == MIMEBytes.dash {
                    let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                    if levels.contains(where: { $0.delimiter(line) != nil }) { return true }
                }
                start = end
            }
            return false
        }
    }

    /// `max_links` and `max_growth`, checked after every batch a displayed part decodes
    /// and when it ends, so a message over either stops costing work at once instead of
    /// after the whole part was rewritten. `part`: the displayed part in progress, if any.
    /// A link the URL maker refused with the reason "max_growth" counts as over the limit:
    /// the maker checks each URL it makes, the walker only between batches.
    func checkWhileRewriting(_ part: MIMEDisplayedPartProcessor?) {
        let current = part?.statistics ?? RewriteStatistics()
        var exceeded: RewriteLimits.Kind?
        if Self.linkCount(statistics) + Self.linkCount(current) > limits.maxLinks {
            exceeded = .links
        } else if current.linksSkipped[RewriteLimits.Kind.growth.rawValue] != nil
            || statistics.linksSkipped[RewriteLimits.Kind.growth.rawValue] != nil
            || output.count + (part?.pendingOutputBytes ?? 0) > limits.allowedOutputBytes(bodyBytesIn: bodyBytesIn) {
            exceeded = .growth
        }
        guard let exceeded else { return }
        statistics.add(current)  // the log line counts what was done up to here
        stop(exceeded)
    }

    static func linkCount(_ s: RewriteStatistics) -> Int {
        s.linksSkipped.values.reduce(s.linksTracked, +)
    }

    /// Gives up on the message for `limit`: it passes unchanged, and the rest of the body is ignored.
    func stop(_ limit: RewriteLimits.Kind) {
        exceededLimit = limit
        giveUp(reason: limits.reason(limit))
    }

    /// The message passes unchanged for `reason`; what was built is dropped at once.
    func giveUp(reason: String) {
        passReason = reason
        state = .passthrough
        runStart = nil
        output.removeAll()
        carry = []
        carrying = false
        levels = []
    }

    func note(_ path: String, _ reason: MIMELeftAlone) {
        guard notes.count < Self.maxNotes else {
            omittedNotes += 1
            return
        }
        notes.append("part \(path) left alone: \(reason)")
    }

    func updateMaxDelimiterLine() {
        // "--", the boundary, "--", and generous room for trailing whitespace and CRLF.
        maxDelimiterLine = (levels.map(\.boundary.count).max() ?? 0) + 1024
    }
}

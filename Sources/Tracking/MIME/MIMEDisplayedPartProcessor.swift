/// One displayed part on its way through: the body's bytes are kept as they came (to emit
/// them unchanged when nothing is rewritten or the data is bad), decoded, streamed through
/// the part rewriter, and the rewriter's output re-encoded in the part's own encoding.
///
/// The line ending in front of the next boundary belongs to the boundary (RFC 2046 §5.1.1),
/// so the body's last line ending is held back from the rewriter and written after the
/// re-encoded content: text a rewriter appends lands before it, and it survives as it was.
final class MIMEDisplayedPartProcessor {
    /// The part's header block as it came (empty for a single-part message).
    let header: [UInt8]
    let encoding: MIMETransferEncoding
    private let rewriter: any PartRewriter
    /// For ISO-2022 text: the filter around the rewriter, and the charset's name for the log.
    private var iso2022: ISO2022Filter?
    private let charsetName: String
    /// The filter's input to the rewriter and the rewriter's output to the filter.
    private var hidden: [UInt8] = []
    private var unrevealed: [UInt8] = []
    /// The body's bytes as they came.
    private(set) var original: [UInt8] = []
    /// A line ending (or a CR that may start one) not given to the decoder yet.
    private var held: [UInt8] = []
    /// Body bytes waiting to be decoded.
    private var undecoded: [UInt8] = []
    /// The body's first line ending, which quoted-printable and base64 output use for all
    /// their line breaks (the header block's when the body has none). Until it is known (or
    /// the part ends) rewritten bytes wait in `rewritten`, so chunking cannot change it.
    private var lineEnding: MIMELineEnding?
    private let fallbackEnding: MIMELineEnding
    private var decoder: Decoding
    private var encoder: Encoding?
    private var decoded: [UInt8] = []
    private var rewritten: [UInt8] = []
    private var encoded: [UInt8] = []
    private var lineLength = 0
    private var lastWasCR = false
    private var longestLine = 0
    /// Set when the encoded data is bad: the part is then emitted as it came.
    private(set) var failure: MIMELeftAlone?

    private enum Decoding {
        case identity
        case quotedPrintable(QuotedPrintable.Decoder)
        case base64(Base64Codec.Decoder)
    }

    private enum Encoding {
        case identity
        case quotedPrintable(QuotedPrintable.Encoder)
        case base64(Base64Codec.Encoder)
    }

    /// How the part ended.
    enum Outcome {
        /// Emit `header` and `original`.
        case unchanged
        /// Emit these bytes; `switchedToQuotedPrintable` when a 7bit/8bit/binary line passed 998 octets.
        case rewritten(header: [UInt8], body: [UInt8], switchedToQuotedPrintable: Bool)
    }

    /// RFC 5322 §2.1.1: at most 998 octets between line endings.
    static let maxLineOctets = 998

    init(header: [UInt8], encoding: MIMETransferEncoding, charset: String? = nil, rewriter: any PartRewriter) {
        self.header = header
        self.encoding = encoding
        self.rewriter = rewriter
        charsetName = charset ?? "us-ascii"
        if MIMECharset(charset) == .iso2022 { iso2022 = ISO2022Filter() }
        fallbackEnding = header.isEmpty || MIMEHeaderBlock.lineEnding(of: header[...]) == [MIMEBytes.cr, MIMEBytes.lf]
            ? .crlf : .lf
        switch encoding {
        case .quotedPrintable: decoder = .quotedPrintable(QuotedPrintable.Decoder())
        case .base64: decoder = .base64(Base64Codec.Decoder())
        case .sevenBit, .eightBit, .binary: decoder = .identity
        }
    }

    /// The rewriter's counts, for the message's statistics.
    var statistics: RewriteStatistics { rewriter.statistics }

    /// Rewritten bytes held for this part so far, for the walker's `max_growth` check.
    var pendingOutputBytes: Int { encoded.count + rewritten.count }

    /// Takes a piece of a body line; `lineEnd` says it ends with LF. Returns whether a
    /// batch went through the rewriter (so links and output may have grown).
    @discardableResult
    func consume(_ piece: UnsafeRawBufferPointer, lineEnd: Bool) -> Bool {
        original.appendMIMEBytes(piece)
        guard failure == nil, !piece.isEmpty else { return false }
        var body = piece
        var newHeld: [UInt8] = []
        if lineEnd {
            if piece.count >= 2 && piece[piece.count - 2] == MIMEBytes.cr {
                newHeld = [MIMEBytes.cr, MIMEBytes.lf]
                body = UnsafeRawBufferPointer(rebasing: piece[..<(piece.count - 2)])
            } else if piece.count == 1 && held == [MIMEBytes.cr] {
                newHeld = [MIMEBytes.cr, MIMEBytes.lf]
                held = []
                body = UnsafeRawBufferPointer(rebasing: piece[..<0])
            } else {
                newHeld = [MIMEBytes.lf]
                body = UnsafeRawBufferPointer(rebasing: piece[..<(piece.count - 1)])
            }
            if lineEnding == nil { lineEnding = newHeld.count == 2 ? .crlf : .lf }
        } else if piece[piece.count - 1] == MIMEBytes.cr {
            newHeld = [MIMEBytes.cr]
            body = UnsafeRawBufferPointer(rebasing: piece[..<(piece.count - 1)])
        }
        undecoded += held
        undecoded.appendMIMEBytes(body)
        held = newHeld
        guard undecoded.count >= Self.batchBytes else { return false }
        decodeUndecoded()
        return true
    }

    /// Lines are decoded in batches: a call through decoder, rewriter and encoder per line
    /// would cost more than the work itself.
    static let batchBytes = 16 * 1024

    private func decodeUndecoded() {
        guard !undecoded.isEmpty else { return }
        undecoded.withUnsafeBytes { decode($0) }
        undecoded.removeAll(keepingCapacity: true)
    }

    /// Ends the part at a delimiter (`atDelimiter`) or at the end of the message.
    func finish(atDelimiter: Bool) -> Outcome {
        if failure == nil { decodeUndecoded() }
        if failure == nil {
            switch decoder {
            case .identity: break
            case .quotedPrintable(var qp):
                qp.finish(into: &decoded)
                decoder = .quotedPrintable(qp)
            case .base64(var b64):
                do { try b64.finish(into: &decoded) } catch { failure = .badEncodedData("bad base64 (\(error))") }
                decoder = .base64(b64)
            }
        }
        guard failure == nil else { return .unchanged }
        if !decoded.isEmpty { decoded.withUnsafeBytes { rewrite($0) } }
        finishRewriter()
        guard failure == nil, rewriter.changed else { return .unchanged }
        encodeRewritten(final: true)
        switch encoder {
        case .quotedPrintable(var qp): qp.finish(into: &encoded)
        case .base64(var b64): b64.finish(into: &encoded)
        case .identity, nil: break
        }
        trackLineLengths(atEnd: true)
        let ending = atDelimiter ? endingBeforeDelimiter : held
        if encoding.limitsLineLength && longestLine > Self.maxLineOctets {
            var body = QuotedPrintable.encode(encoded, lineEnding: lineEnding ?? fallbackEnding)
            body += ending
            let newHeader = header.isEmpty ? header : MIMEHeaderBlock.settingTransferEncoding("quoted-printable", in: header)
            return .rewritten(header: newHeader, body: body, switchedToQuotedPrintable: true)
        }
        encoded += ending
        return .rewritten(header: header, body: encoded, switchedToQuotedPrintable: false)
    }

    /// What ends a rewritten body before a delimiter: the held line ending, which belongs to
    /// the delimiter. An empty body has none (the delimiter follows the header's blank line at
    /// once), so one is added: text written into the part would otherwise run into the
    /// delimiter line, which then delimits nothing and the parts after it join this one. Read
    /// by the same rule, the added line ending belongs to the delimiter and the part holds
    /// exactly what was written. At the end of the message nothing follows, so nothing is added.
    private var endingBeforeDelimiter: [UInt8] {
        original.isEmpty && held.isEmpty ? fallbackEnding.bytes : held
    }

    private func decode(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        switch decoder {
        case .identity:
            rewrite(bytes)
        case .quotedPrintable(var qp):
            decoder = .identity  // drop the enum's copy so the decoder mutates in place
            qp.decode(bytes, into: &decoded)
            decoder = .quotedPrintable(qp)
        case .base64(var b64):
            decoder = .identity
            do {
                try b64.decode(bytes, into: &decoded)
            } catch {
                failure = .badEncodedData("bad base64 (\(error))")
            }
            decoder = .base64(b64)
        }
        if !decoded.isEmpty {
            if failure == nil { decoded.withUnsafeBytes { rewrite($0) } }
            decoded.removeAll(keepingCapacity: true)
        }
        if failure == nil { encodeRewritten(final: false) } else { rewritten = [] }
    }

    /// Gives decoded bytes to the rewriter, through the ISO-2022 filter when the charset needs it.
    private func rewrite(_ bytes: UnsafeRawBufferPointer) {
        guard var filter = iso2022 else {
            rewriter.feed(bytes, into: &rewritten)
            return
        }
        iso2022 = nil  // so the filter's buffers are not copied on write
        hidden.removeAll(keepingCapacity: true)
        unrevealed.removeAll(keepingCapacity: true)
        do {
            try filter.hide(bytes, into: &hidden)
            hidden.withUnsafeBytes { rewriter.feed($0, into: &unrevealed) }
            try filter.reveal(unrevealed, into: &rewritten)
        } catch {
            fail(error)
        }
        iso2022 = filter
    }

    private func finishRewriter() {
        guard var filter = iso2022 else {
            rewriter.finish(into: &rewritten)
            return
        }
        iso2022 = nil
        unrevealed.removeAll(keepingCapacity: true)
        rewriter.finish(into: &unrevealed)
        do { try filter.reveal(unrevealed, into: &rewritten) } catch { fail(error) }
        iso2022 = filter
    }

    private func fail(_ error: ISO2022Filter.Failure) {
        switch error {
        case .eightBit: failure = .badCharsetData(charset: charsetName, what: "an 8-bit byte")
        case .lostTrack: failure = .badCharsetData(charset: charsetName, what: "a rewrite that lost the shift state")
        }
        rewritten = []
    }

    /// Moves the rewriter's output into `encoded` once the line ending for soft breaks is known.
    private func encodeRewritten(final: Bool) {
        guard !rewritten.isEmpty else { return }
        if encoder == nil {
            switch encoding {
            case .sevenBit, .eightBit, .binary:
                encoder = .identity
            case .quotedPrintable:
                guard final || lineEnding != nil else { return }
                encoder = .quotedPrintable(QuotedPrintable.Encoder(lineEnding: lineEnding ?? fallbackEnding))
            case .base64:
                guard final || lineEnding != nil else { return }
                encoder = .base64(Base64Codec.Encoder(lineEnding: lineEnding ?? fallbackEnding))
            }
        }
        switch encoder {
        case .identity, nil:
            let start = encoded.count
            encoded += rewritten
            if encoding.limitsLineLength { trackLineLengths(from: start) }
        case .quotedPrintable(var qp):
            encoder = .identity
            rewritten.withUnsafeBytes { qp.encode($0, into: &encoded) }
            encoder = .quotedPrintable(qp)
        case .base64(var b64):
            encoder = .identity
            rewritten.withUnsafeBytes { b64.encode($0, into: &encoded) }
            encoder = .base64(b64)
        }
        rewritten.removeAll(keepingCapacity: true)
    }

    /// Follows line lengths in 7bit/8bit output (CR before LF not counted).
    private func trackLineLengths(from start: Int = 0, atEnd: Bool = false) {
        if atEnd {
            longestLine = max(longestLine, lineLength)
            return
        }
        encoded.withUnsafeBytes { all in
            let bytes = UnsafeRawBufferPointer(rebasing: all[start...])
            var i = 0
            while i < bytes.count {
                guard let lf = MIMEBytes.index(of: MIMEBytes.lf, in: bytes, from: i) else {
                    lineLength += bytes.count - i
                    lastWasCR = bytes[bytes.count - 1] == MIMEBytes.cr
                    return
                }
                let crBefore = lf > i ? bytes[lf - 1] == MIMEBytes.cr : lastWasCR
                longestLine = max(longestLine, lineLength + (lf - i) - (crBefore ? 1 : 0))
                lineLength = 0
                lastWasCR = false
                i = lf + 1
            }
        }
    }
}

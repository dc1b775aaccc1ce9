// Whole messages through the MIME walker with the milter's own part rewriters and sealed
// URLs. Invariants for every message the walker rewrites:
// - skeleton: walking input and output with a rewriter that empties every displayed part
//   gives the same bytes, so headers, boundaries, preamble, epilogue, non-displayed parts
//   and the MIME tree are untouched (allowing only the Content-Transfer-Encoding line of a
//   part that had to switch to quoted-printable);
// - the output has the same displayed parts (kind, charset, order), and each one decodes to
//   either its original content or what its rewriter wrote (codecs round-trip; a
//   quoted-printable part may write CRLF line breaks of the text as LF or back);
// - rewriting the output again with click tracking changes nothing, where the design allows
//   it (see docs/fuzzing.md: pixels, opted-out links and brace macros are not idempotent);
// - the body grows at most 16 times plus 4 KB (measured ratios are printed as they rise).
import Foundation
import FuzzSupport
import Tracking

guard let key = TrackingKey(id: 3, secret: [UInt8](repeating: 0x5A, count: TrackingKey.secretLength)),
      let keyring = TrackingKeyring(keys: [key], activeID: 3)
else { fatalError("test key") }
let sentAt = Date(timeIntervalSince1970: 1_750_000_000)
let trackingDomain = "track.example"
nonisolated(unsafe) var largestRatio = 0.0

func settings(open: Bool) -> (ResolvedTracking, TrackingOptions) {
    var options = TrackingOptions()
    options.clickTrackingEnabled = true
    options.openTrackingEnabled = open
    options.trackingDomain = trackingDomain
    return (ResolvedTracking.resolve(options: options, header: nil, customerID: "fuzz"), options)
}

/// One pass of the real rewriters; `recorded` gets, per displayed part, its recorder (nil: left alone).
func realPass(_ headers: [(name: String, value: String)], _ body: [UInt8], open: Bool, cuts: [Int],
              recorded: inout [(part: DisplayedPart, recorder: RecordingRewriter?)]) -> MIMERewriteResult {
    let (tracking, options) = settings(open: open)
    let maker = SealedURLMaker(sealer: TokenSealer(keyring: keyring), tracking: tracking,
                               recipient: "rcpt@example.org", options: options, now: sentAt)
    var parts: [(part: DisplayedPart, recorder: RecordingRewriter?)] = []
    let result = walk(headers, body, cuts: cuts) { part in
        guard let real = DisplayedPartRewriters.make(part, tracking: tracking, options: options, urls: maker) else {
            parts.append((part, nil))
            return nil
        }
        let recorder = RecordingRewriter(real, part: part)
        parts.append((part, recorder))
        return recorder
    }
    recorded = parts
    return result
}

runFuzzer { data in
    let message = MessageSplit(Array(data))
    let headers = message.fields
    let body = message.body
    let open = data.count % 2 == 1
    var recorded: [(part: DisplayedPart, recorder: RecordingRewriter?)] = []
    let result = realPass(headers, body, open: open, cuts: cuts(for: body, count: 6), recorded: &recorded)
    guard case .rewritten(_, let headerChanges) = result.outcome, let output = result.body else { return }

    let outputHeaders = applying(headerChanges, to: headers)
    require(output.count <= 16 * body.count + 4096, "body grew from \(body.count) to \(output.count) bytes")
    if body.count >= 1024 {
        let ratio = Double(output.count) / Double(body.count)
        if ratio > largestRatio * 1.05 {
            largestRatio = ratio
            print("fuzz-message: largest growth so far \(ratio) (\(body.count) -> \(output.count) bytes)")
        }
    }

    compareSkeletons(skeleton(headers, body), skeleton(outputHeaders, output))

    var captured: [CapturingRewriter] = []
    _ = walk(outputHeaders, output) { part in
        let capture = CapturingRewriter(part: part)
        captured.append(capture)
        return capture
    }
    require(captured.map(\.part) == recorded.map(\.part), "the displayed parts changed")
    for (k, entry) in recorded.enumerated() {
        guard let recorder = entry.recorder, k < captured.count else { continue }
        let now = captured[k].input
        // Quoted-printable writes every line break of the text (CRLF or LF) with the part's
        // line ending (RFC 2045 §6.7 rule 4), so line breaks may change kind, nothing else.
        require(now == recorder.input || now == recorder.output || lineBreaksAsLF(now) == lineBreaksAsLF(recorder.output),
                "displayed part \(k) decodes to neither its original nor its rewritten content: \(shown(now)) vs \(shown(recorder.output))")
    }

    let optedOut = result.statistics.linksSkipped["opted_out"] ?? 0
    let macros = recorded.contains { $0.recorder.map { contains($0.input, Array("_curly()".utf8)) } ?? false }
    guard optedOut == 0, !macros else { return }
    var again: [(part: DisplayedPart, recorder: RecordingRewriter?)] = []
    let second = realPass(outputHeaders, output, open: false, cuts: [], recorded: &again)
    if let twice = second.body {
        require(twice == output, "rewriting the rewritten message changed it again (\(second.statistics))")
    }
}

/// Top-level fields with a change applied: every occurrence replaced, or added at the end.
func applying(_ changes: [(name: String, value: String)], to fields: [(name: String, value: String)]) -> [(name: String, value: String)] {
    var result = fields
    for change in changes {
        var found = false
        for k in result.indices where result[k].name.lowercased() == change.name.lowercased() {
            result[k].value = change.value
            found = true
        }
        if !found { result.append(change) }
    }
    return result
}

func skeleton(_ headers: [(name: String, value: String)], _ body: [UInt8]) -> [UInt8] {
    walk(headers, body) { _ in EmptyingRewriter() }.body ?? body
}

/// Line by line; the output may have `Content-Transfer-Encoding: quoted-printable` where the
/// input had another Content-Transfer-Encoding field (with its folds) or none.
func compareSkeletons(_ input: [UInt8], _ output: [UInt8]) {
    guard input != output else { return }
    let a = lines(input)
    let b = lines(output)
    let switched = Array("Content-Transfer-Encoding: quoted-printable".utf8)
    var i = 0
    var j = 0
    while i < a.count || j < b.count {
        if i < a.count, j < b.count, a[i] == b[j] {
            i += 1
            j += 1
            continue
        }
        guard j < b.count, trimmingEnding(b[j]).elementsEqual(switched) else {
            require(false, "skeletons differ at input line \(i): \(i < a.count ? shown(a[i]) : "end") / output: \(j < b.count ? shown(b[j]) : "end")")
            return
        }
        j += 1
        if i < a.count, hasPrefixIgnoringCase(a[i], "content-transfer-encoding") {
            i += 1
            while i < a.count, let lead = a[i].first, lead == 0x20 || lead == 0x09 { i += 1 }
        }
    }
}

func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var out: [ArraySlice<UInt8>] = []
    var start = 0
    while start < bytes.count {
        let end = bytes[start...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
        out.append(bytes[start..<end])
        start = end
    }
    return out
}

func trimmingEnding(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var line = line
    if line.last == 0x0A { line = line.dropLast() }
    if line.last == 0x0D { line = line.dropLast() }
    return line
}

/// Every line break as a bare LF, with any CRs right before it dropped: quoted-printable
/// reads "CR CR LF" as a CR (escaped) and a line break, which decodes as "CR LF" in a part
/// whose line ending is LF, so a run of CRs before an LF cannot be compared byte for byte.
func lineBreaksAsLF(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var beforeLF = false
    for byte in bytes.reversed() {
        if byte == 0x0D && beforeLF { continue }
        beforeLF = byte == 0x0A
        out.append(byte)
    }
    return out.reversed()
}

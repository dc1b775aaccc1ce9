// The rewriter benchmark. Not a test: it prints throughput next to a plain byte copy of the
// same input, timed in the same run, so the ratios mean something on a shared machine.
//
//   RewriteBench bench FIXTURES [--samples N] [--sample-seconds S] [--only SUBSTRING] [--profile SECONDS]
//   RewriteBench stream FILE [--hint] [--memory] [--threshold BYTES] [--spill-dir DIR] [--out PATH]
//
// FIXTURES is the folder make_fixtures.py writes. `stream` rewrites one message read from a
// file in 64 KB reads, as the milter gets it, for peak-RSS runs under /usr/bin/time -v: into
// the milter's sink (`SpillingBody`, the default limits.spill_* unless given), or with
// --memory into segments only (`SegmentedBody`, nothing spilled).
// --profile runs the chosen subjects alone (no baseline, no statistics) for perf record.

import Foundation
import Tracking
import TrackingRuntime

#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: RewriteBench bench FIXTURES [--samples N] [--sample-seconds S] [--only SUBSTRING] [--profile SECONDS]
               RewriteBench stream FILE [--hint] [--memory] [--threshold BYTES] [--spill-dir DIR] [--out PATH]

        """.utf8))
    exit(2)
}

func describe(_ result: MIMERewriteResult) -> String {
    var parts: [String] = []
    switch result.outcome {
    case .unchanged(let reason): parts.append("UNCHANGED(\(reason ?? "nothing rewritten"))")
    case .rewritten(let body, let changes):
        parts.append("rewritten, \(body.count) bytes out")
        if !changes.isEmpty { parts.append("header changes: \(changes.map { "\($0.name): \($0.value)" })") }
    }
    let s = result.statistics
    parts.append("links tracked \(s.linksTracked)")
    if !s.linksSkipped.isEmpty { parts.append("skipped \(s.linksSkipped.sorted { $0.key < $1.key })") }
    parts.append("pixels \(s.pixels)")
    if !result.notes.isEmpty { parts.append("notes \(result.notes)") }
    return parts.joined(separator: "; ")
}

// MARK: - stream

func stream(file: String, hint: Bool, memoryOnly: Bool, spill: BodySpillSettings, out: String?) throws {
    let fd = open(file, O_RDONLY)
    guard fd >= 0 else { throw BenchError("cannot open \(file)") }
    defer { close(fd) }
    var info = stat()
    fstat(fd, &info)
    let fileSize = Int(info.st_size)
    let wiring = try Wiring()
    let started = clockNanoseconds(CLOCK_MONOTONIC)
    let cpuStarted = clockNanoseconds(CLOCK_THREAD_CPUTIME_ID)

    let piece = 65536
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: piece, alignment: 16)
    defer { buffer.deallocate() }
    var headerBlock: [UInt8] = []
    var rewriter: MIMERewriter?
    while true {
        let n = read(fd, buffer.baseAddress!, piece)
        guard n > 0 else { break }
        let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<n])
        if let rewriter {
            rewriter.feed(chunk)
            continue
        }
        // Gathering the header block (the MTA hands a milter the headers before the body).
        let before = headerBlock.count
        headerBlock.append(contentsOf: chunk)
        let header = RawMessage(headerBlock)
        guard header.headerEnded else { continue }
        let offset = header.bodyStart
        let sizeHint = hint ? fileSize - offset : nil
        let output: any BodySink =
            memoryOnly ? SegmentedBody(sizeHint: sizeHint) : SpillingBody(settings: spill, sizeHint: sizeHint)
        let made = wiring.mimeRewriter(headers: header.headerFields, output: output)
        rewriter = made
        made.feed(UnsafeRawBufferPointer(rebasing: chunk[(offset - before)...]))
        headerBlock = []
    }
    guard let rewriter else { throw BenchError("\(file): no empty line after the header") }
    let result = rewriter.finish()
    var bytesOut = 0
    if let out, let body = result.bodySink {
        let outFD = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard outFD >= 0 else { throw BenchError("cannot write \(out)") }
        defer { close(outFD) }
        // As the milter sends it: the sink's pieces, the spilled part read back in 256 KiB pieces.
        try body.forEachChunk { bytes in
            var offset = 0
            while offset < bytes.count, let base = bytes.baseAddress {
                let w = write(outFD, base + offset, bytes.count - offset)
                guard w > 0 else { throw BenchError("cannot write \(out)") }
                offset += w
            }
            bytesOut += bytes.count
        }
    }
    let cpu = Double(clockNanoseconds(CLOCK_THREAD_CPUTIME_ID) - cpuStarted) / 1e9
    let wall = Double(clockNanoseconds(CLOCK_MONOTONIC) - started) / 1e9
    let sink = memoryOnly ? "segments in memory" : "spill past \(spill.thresholdBytes) bytes to \(spill.directory.value)"
    print("stream \(file): \(fileSize) bytes, bodySizeHint \(hint ? "file size" : "none"), \(sink); \(describe(result))")
    if out != nil { print("  wrote \(bytesOut) bytes to \(out!)") }
    print(String(format: "  %.1f ms wall, %.1f ms CPU, %.0f MB/s (CPU); peak RSS %d KB (getrusage)",
                 wall * 1e3, cpu * 1e3, Double(fileSize) / cpu / 1e6, peakRSSKilobytes()))
}

// MARK: - bench

struct Row {
    let name: String
    let bytes: Int
    let baseline: Measurement
    let subject: Measurement
    let ratio: Double
    let target: String
    let sanity: String

    func mbps(_ seconds: Double) -> Double { Double(bytes) / seconds / 1e6 }
    var cpuMBps: Double { mbps(subject.cpu.median) }
    var bestMBps: Double { mbps(subject.cpu.sorted[0]) }
}

func bench(fixtures: String, settings: Settings, only: String?, profileSeconds: Double?) throws {
    let wiring = try Wiring()
    var rows: [Row] = []
    let loadStart = loadAverage()
    print("load average at start: \(loadStart)")
    print("samples \(settings.samples) per subject, each ≈\(Int(settings.sampleSeconds * 1000)) ms of passes; "
          + "subject and byte copy alternate; medians; MB = 10^6 bytes; per-core = thread CPU time")

    func run(_ name: String, bytes input: [UInt8], target: String, sanity: String, subject: () -> Int) {
        if let only, !name.lowercased().contains(only.lowercased()) { return }
        if let seconds = profileSeconds {
            // For perf record: the subject alone, no baseline, for `seconds`.
            let end = clockNanoseconds(CLOCK_MONOTONIC) + UInt64(seconds * 1e9)
            var passes = 0
            while clockNanoseconds(CLOCK_MONOTONIC) < end { sink &+= subject(); passes += 1 }
            print("  profiled \(name): \(passes) passes")
            return
        }
        let copier = ByteCopy(capacity: input.count)
        let (base, subj, ratio) = input.withUnsafeBytes { bytes in
            compare(settings, baseline: { copier.copy(bytes) }, subject: subject)
        }
        let row = Row(name: name, bytes: input.count, baseline: base, subject: subj, ratio: ratio, target: target, sanity: sanity)
        rows.append(row)
        print(String(format: "  %@: %.0f MB/s CPU (p25 %.0f, p75 %.0f), %.0f MB/s wall; copy %.0f MB/s CPU; ratio %.4f; reps %d/%d",
                     name, row.cpuMBps, row.mbps(subj.cpu.quantile(0.75)), row.mbps(subj.cpu.quantile(0.25)),
                     row.mbps(subj.wall.median), row.mbps(base.cpu.median), row.ratio, subj.reps, base.reps))
        fflush(nil)
    }

    // 1a. HTMLRewriter alone on the decoded corpus HTML.
    let corpus = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixtures + "/corpus.html")))
    do {
        var output: [UInt8] = []
        output.reserveCapacity(corpus.count * 2)
        func pass() -> Int {
            let rewriter = wiring.htmlRewriter(urls: wiring.makeURLMaker())
            output.removeAll(keepingCapacity: true)
            corpus.withUnsafeBytes { bytes in inPieces(bytes) { rewriter.feed($0, into: &output) } }
            rewriter.finish(into: &output)
            return output.count
        }
        let check = wiring.htmlRewriter(urls: wiring.makeURLMaker())
        var out: [UInt8] = []
        corpus.withUnsafeBytes { bytes in inPieces(bytes) { check.feed($0, into: &out) } }
        check.finish(into: &out)
        let s = check.statistics
        let sanity = "\(out.count) bytes out; links tracked \(s.linksTracked); skipped \(s.linksSkipped.sorted { $0.key < $1.key }); pixels \(s.pixels)"
        print("HTMLRewriter corpus: \(corpus.count) bytes in; \(sanity)")
        run("HTMLRewriter, corpus HTML", bytes: corpus, target: "≥ 250", sanity: sanity, subject: pass)
    }

    // MIMERewriter cases: the body fed in 64 KB pieces, as the milter gets it.
    /// `spill`: into the milter's own sink (default limits.spill_*: 2 MiB in memory, the rest
    /// to an unnamed file in /var/tmp) instead of segments in memory only.
    func mime(_ name: String, file: String, hint: Bool, spill: Bool = false, target: String) throws -> RawMessage {
        let message = try RawMessage(file: fixtures + "/" + file)
        if let only, !name.lowercased().contains(only.lowercased()) { return message }
        let body = Array(message.body)
        func output() -> any BodySink {
            let sizeHint = hint ? body.count : nil
            return spill ? SpillingBody(settings: BodySpillSettings(), sizeHint: sizeHint) : SegmentedBody(sizeHint: sizeHint)
        }
        func pass() -> Int {
            let rewriter = wiring.mimeRewriter(headers: message.headerFields, output: output())
            body.withUnsafeBytes { bytes in inPieces(bytes) { rewriter.feed($0) } }
            let result = rewriter.finish()
            return result.bodySink?.count ?? -1
        }
        let check = wiring.mimeRewriter(headers: message.headerFields, output: output())
        body.withUnsafeBytes { bytes in inPieces(bytes) { check.feed($0) } }
        let sanity = describe(check.finish())
        print("\(name): \(body.count) body bytes; \(sanity)")
        run(name, bytes: body, target: target, sanity: sanity, subject: pass)
        return message
    }

    _ = try mime("MIMERewriter, text/html 8bit", file: "html-8bit.eml", hint: false, target: "≥ 250")
    _ = try mime("MIMERewriter, text/html quoted-printable", file: "html-qp.eml", hint: false, target: "≥ 120")
    _ = try mime("MIMERewriter, text/html base64", file: "html-base64.eml", hint: false, target: "–")
    let big = try mime("MIMERewriter, 25 MB: small HTML + 24 MB base64 attachment", file: "big.eml", hint: false,
                       target: "≥ 1000 (attachment)")
    _ = try mime("MIMERewriter, same 25 MB, bodySizeHint given", file: "big.eml", hint: true, target: "≥ 1000 (attachment)")
    _ = try mime("MIMERewriter, same 25 MB, the milter's sink (2 MiB in memory, rest spilled to /var/tmp)", file: "big.eml",
                 hint: false, spill: true, target: "≥ 1000 (attachment)")
    let small = try mime("MIMERewriter, the same message without the attachment", file: "big-noattach.eml", hint: false,
                         target: "–")
    _ = try mime("MIMERewriter, newsletter 7.8 KB (text + QP HTML, 41 links)", file: "newsletter.eml", hint: false,
                 target: "≤ 0.12 ms")

    // A second reference for the big message: copying into a fresh array, page faults included,
    // which every new output buffer of the rewriter pays too.
    do {
        let body = Array(big.body)
        func pass() -> Int {
            var out: [UInt8] = []
            out.reserveCapacity(body.count)
            body.withUnsafeBytes { bytes in inPieces(bytes) { out.append(contentsOf: $0) } }
            return out.count
        }
        run("reference: copy of the 25 MB body into a fresh [UInt8]", bytes: body, target: "–", sanity: "", subject: pass)
    }

    print("load average at end: \(loadAverage())")
    print("")
    print("| case | input bytes | MB/s per core (median CPU) | p25–p75 | best | MB/s wall (median) | byte copy MB/s (CPU) | ratio to copy | target MB/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in rows {
        print(String(format: "| %@ | %d | **%.0f** | %.0f–%.0f | %.0f | %.0f | %.0f | %.4f | %@ |",
                     row.name, row.bytes, row.cpuMBps, row.mbps(row.subject.cpu.quantile(0.75)),
                     row.mbps(row.subject.cpu.quantile(0.25)), row.bestMBps, row.mbps(row.subject.wall.median),
                     row.mbps(row.baseline.cpu.median), row.ratio, row.target))
    }
    // The attachment's own rate: the big message's time less that of the same message without it.
    let bigRow = rows.first { $0.name.hasPrefix("MIMERewriter, 25 MB") }
    let hintRow = rows.first { $0.name.hasPrefix("MIMERewriter, same 25 MB") }
    let smallRow = rows.first { $0.name.hasPrefix("MIMERewriter, the same message without") }
    if let smallRow {
        let attachmentBytes = big.body.count - small.body.count
        for row in [bigRow, hintRow].compactMap({ $0 }) {
            let seconds = row.subject.cpu.median - smallRow.subject.cpu.median
            print(String(format: "| attachment bytes alone (%@): the 25 MB row less the no-attachment row | %d | **%.0f** | | | | | %.4f | ≥ 1000 |",
                         row.name == bigRow?.name ? "no hint" : "hint", attachmentBytes, Double(attachmentBytes) / seconds / 1e6,
                         row.baseline.cpu.median / seconds * Double(attachmentBytes) / Double(row.bytes)))
        }
    }
    print("")
    print("load average: start \(loadStart), end \(loadAverage()); sink \(sink & 1)")
}

// MARK: - main

do {
    switch arguments.first {
    case "bench":
        guard arguments.count >= 2 else { usage() }
        var settings = Settings()
        if let n = option("--samples").flatMap(Int.init) { settings.samples = n }
        if let s = option("--sample-seconds").flatMap(Double.init) { settings.sampleSeconds = s }
        try bench(fixtures: arguments[1], settings: settings, only: option("--only"),
                  profileSeconds: option("--profile").flatMap(Double.init))
    case "stream":
        guard arguments.count >= 2 else { usage() }
        var spill = BodySpillSettings()
        if let n = option("--threshold").flatMap(Int.init) { spill.thresholdBytes = n }
        if let dir = option("--spill-dir") { spill.directory = Located(dir) }
        try stream(
            file: arguments[1], hint: arguments.contains("--hint"), memoryOnly: arguments.contains("--memory"), spill: spill,
            out: option("--out"))
    default:
        usage()
    }
} catch {
    FileHandle.standardError.write(Data("RewriteBench: \(error)\n".utf8))
    exit(1)
}

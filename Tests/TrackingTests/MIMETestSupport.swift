import Testing
import Tracking

/// Fake part rewriters and drivers for the MIME walker tests.
enum MIMETestSupport {
    /// Segments of 7 bytes (a prime) in the walker tests, so every expected body there is
    /// also proof that segment boundaries falling anywhere change no byte of the output.
    static let testSegmentBytes = 7

    /// Runs the walker over `body`, fed in the given chunk sizes (cycled), or whole, into
    /// `output` (segments of `testSegmentBytes` unless given).
    static func run(
        headers: [(name: String, value: String)], body: [UInt8], chunkSizes: [Int] = [],
        limits: RewriteLimits = RewriteLimits(), leaveSignedParts: Bool = true,
        output: any BodySink = SegmentedBody(segmentBytes: testSegmentBytes),
        makeRewriter: @escaping (DisplayedPart) -> (any PartRewriter)? = { _ in HTTPUppercasingPartRewriter() }
    ) -> MIMERewriteResult {
        let walker = MIMERewriter(
            headers: headers, limits: limits, leaveSignedParts: leaveSignedParts, output: output, makeRewriter: makeRewriter)
        body.withUnsafeBytes { all in
            guard !chunkSizes.isEmpty else { return walker.feed(all) }
            var offset = 0
            var index = 0
            while offset < all.count {
                let size = max(1, chunkSizes[index % chunkSizes.count])
                let end = min(all.count, offset + size)
                walker.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                offset = end
                index += 1
            }
        }
        return walker.finish()
    }

    /// Splits a whole message into simply parsed header fields and the body, the way an MTA
    /// hands them to a milter: the header ends at the blank line, or at the first line that
    /// is neither a field nor a continuation (that line starts the body). A leading mbox
    /// "From " line is dropped.
    static func split(message: [UInt8]) -> (headers: [(name: String, value: String)], body: [UInt8]) {
        var i = 0
        var headers: [(name: String, value: String)] = []
        while i < message.count {
            let end = message[i...].firstIndex(of: 0x0A).map { $0 + 1 } ?? message.count
            let line = message[i..<end]
            if line.elementsEqual([0x0A]) || line.elementsEqual([0x0D, 0x0A]) {
                i = end
                break
            }
            let text = String(decoding: line, as: UTF8.self).mimeTestTrimmedFieldValue()
            if i == 0 && line.starts(with: Array("From ".utf8)) {
                i = end
                continue
            }
            if let first = line.first, first == 0x20 || first == 0x09 {
                if !headers.isEmpty { headers[headers.count - 1].value += "\n" + text }
            } else if let name = fieldName(line) {
                let value = String(decoding: line[(line.startIndex + name.utf8.count + 1)...], as: UTF8.self)
                headers.append((name.mimeTestTrimmingTrailingBlanks(), value.mimeTestTrimmedFieldValue()))
            } else {
                break
            }
            i = end
        }
        return (headers, Array(message[i...]))
    }

    /// The text before the colon of a field line (a printable name, blanks allowed before the colon).
    private static func fieldName(_ line: ArraySlice<UInt8>) -> String? {
        var nameEnded = false
        var sawName = false
        for (offset, byte) in line.enumerated() {
            if byte == 0x3A { return sawName ? String(decoding: line.prefix(offset), as: UTF8.self) : nil }
            if byte == 0x20 || byte == 0x09 {
                nameEnded = true
            } else if byte < 0x21 || byte > 0x7E || nameEnded {
                return nil
            } else {
                sawName = true
            }
        }
        return nil
    }

    static func text(_ result: MIMERewriteResult) -> String? {
        result.body.map { String(decoding: $0, as: UTF8.self) }
    }

    static func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

    /// `text` with LF line endings turned into CRLF.
    static func crlf(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    }
}

/// Test helpers, named so they cannot collide with other test files' extensions.
extension String {
    /// Every occurrence of `target` replaced.
    func mimeTestReplacing(_ target: String, _ replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        let t = Array(target.utf8)
        while !rest.isEmpty {
            if rest.utf8.starts(with: t) {
                out += replacement
                rest = rest.dropFirst(target.count)
            } else {
                out.append(rest.removeFirst())
            }
        }
        return out
    }

    /// What `HTTPUppercasingPartRewriter` makes of this text.
    func mimeTestUppercasingHTTP() -> String {
        let rewriter = HTTPUppercasingPartRewriter()
        var out: [UInt8] = []
        Array(utf8).withUnsafeBytes { rewriter.feed($0, into: &out) }
        rewriter.finish(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func mimeTestTrimmingTrailingBlanks() -> String {
        var s = Substring(self)
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }

    /// Without the line ending and the leading spaces of a field value.
    func mimeTestTrimmedFieldValue() -> String {
        var s = Substring(self)
        while s.last == "\n" || s.last == "\r" || s.last == "\r\n" { s = s.dropLast() }
        while s.first == " " { s = s.dropFirst() }
        return String(s)
    }
}

/// Upper-cases every "http" to "HTTP", streaming: a piece may end inside "http".
final class HTTPUppercasingPartRewriter: PartRewriter {
    private var pending: [UInt8] = []
    private(set) var changed = false
    private(set) var statistics = RewriteStatistics()
    private(set) var input: [UInt8] = []

    func feed(_ decoded: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        input += decoded
        pending += decoded
        let word = Array("http".utf8)
        var i = 0
        var out: [UInt8] = []
        while i < pending.count {
            if pending[i] == word[0] {
                let available = min(4, pending.count - i)
                if Array(pending[i..<(i + available)]) == Array(word[..<available]) {
                    if available < 4 { break }  // maybe "http" split across pieces
                    out += Array("HTTP".utf8)
                    changed = true
                    statistics.linksTracked += 1
                    i += 4
                    continue
                }
            }
            out.append(pending[i])
            i += 1
        }
        output += out
        pending.removeFirst(i)
    }

    func finish(into output: inout [UInt8]) {
        output += pending
        pending = []
    }
}

/// Copies its input and adds `prefix` before and `suffix` after; reports `changed` as told.
final class FramingPartRewriter: PartRewriter {
    let prefix: [UInt8]
    let suffix: [UInt8]
    let reportsChanged: Bool
    private var started = false
    private(set) var input: [UInt8] = []
    var statistics = RewriteStatistics()

    init(prefix: String = "", suffix: String = "", reportsChanged: Bool = true) {
        self.prefix = Array(prefix.utf8)
        self.suffix = Array(suffix.utf8)
        self.reportsChanged = reportsChanged
    }

    var changed: Bool { reportsChanged }

    func feed(_ decoded: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        if !started { output += prefix }
        started = true
        input += decoded
        output += decoded
    }

    func finish(into output: inout [UInt8]) {
        if !started { output += prefix }
        started = true
        output += suffix
    }
}

extension MIMERewriter {
    /// The tests write header fields as text.
    convenience init(
        headers: [(name: String, value: String)], limits: RewriteLimits = RewriteLimits(), leaveSignedParts: Bool = true,
        output: any BodySink = SegmentedBody(), makeRewriter: @escaping (DisplayedPart) -> (any PartRewriter)?
    ) {
        self.init(
            headers: headers.map { HeaderField(name: $0.name, value: Array($0.value.utf8)) }, limits: limits,
            leaveSignedParts: leaveSignedParts, output: output, makeRewriter: makeRewriter)
    }
}

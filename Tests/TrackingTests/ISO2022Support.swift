import Testing
@testable import Tracking

/// ISO-2022 fixtures and a walker run with the real HTML and text rewriters.
enum ISO {
    static let jis = "\u{1B}$B"      // JIS X 0208 into G0
    static let ascii = "\u{1B}(B"
    static let roman = "\u{1B}(J"
    static let so = "\u{0E}"
    static let si = "\u{0F}"
    /// "リンク" (link) in JIS X 0208, between the escapes.
    static let link = "\(jis)%j%s%/\(ascii)"
    static let click1 = "https://t.example/f/a/T1"
    static let top = PixelMarkup.make("https://t.example/q/TOP")
    static let bottom = PixelMarkup.make("https://t.example/q/BOTTOM")

    struct Run {
        var result: MIMERewriteResult
        var urls: FakeURLMaker
        var text: String? { result.body.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Rewrites a single-part message (click tracking on; pixels as given for HTML).
    static func rewrite(_ body: String, type: String = "text/html", charset: String = "iso-2022-jp",
                        encoding: String? = nil, pixels: OpenPixelPlacement? = nil, chunkSizes: [Int] = []) -> Run {
        var headers: [(name: String, value: String)] = [("Content-Type", "\(type); charset=\(charset)")]
        if let encoding { headers.append(("Content-Transfer-Encoding", encoding)) }
        return message(headers: headers, body: Array(body.utf8), pixels: pixels, chunkSizes: chunkSizes)
    }

    static func message(headers: [(name: String, value: String)], body: [UInt8], pixels: OpenPixelPlacement? = nil,
                        chunkSizes: [Int] = []) -> Run {
        let urls = FakeURLMaker()
        let result = MIMETestSupport.run(headers: headers, body: body, chunkSizes: chunkSizes) { part in
            let options = LinkRewriteOptions(clickTracking: true, openPixels: part.kind == .html ? pixels : nil,
                                             trackingDomain: "t.example", nonASCIIBytes: part.nonASCIIBytes)
            switch part.kind {
            case .html: return HTMLRewriter(options: options, urls: urls)
            case .plain: return TextRewriter(options: options, urls: urls)
            }
        }
        return Run(result: result, urls: urls)
    }

    /// The characters an ISO-2022 decoder sees, as (G0 designation, shifted, byte), escapes
    /// dropped: two byte strings decode to the same text exactly when these are equal. An
    /// independent reading (Python's codec rules: SO/SI, a line feed ends SO). Nil when an
    /// escape is not a designation this reading models (G0 `(F`, `$F`, `$(F`; G1 `)F`, `$)F`).
    static func characters(_ text: String) -> [String]? {
        let bytes = Array(text.utf8)
        var g0 = "B"
        var shifted = false
        var out: [String] = []
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x1B {
                var j = i + 1
                while j < bytes.count, j - i <= 2, bytes[j] == 0x24 || bytes[j] == 0x28 || bytes[j] == 0x29 { j += 1 }
                guard j < bytes.count, j > i + 1, (0x30...0x7E).contains(bytes[j]) else { return nil }
                let sequence = String(decoding: bytes[(i + 1)...j], as: UTF8.self)
                if sequence.hasPrefix("(") || sequence.hasPrefix("$") && !sequence.hasPrefix("$)") {
                    g0 = sequence == "(B" ? "B" : sequence
                }
                i = j + 1
                continue
            }
            if byte == 0x0E { shifted = true } else if byte == 0x0F { shifted = false } else if byte < 0x20 {
                out.append("C:\(byte)")  // controls decode as themselves in every state
                if byte == 0x0A { shifted = false }
            } else {
                out.append("\(shifted ? "SO" : g0):\(byte)")
            }
            i += 1
        }
        return out
    }
}

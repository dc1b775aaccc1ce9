import Foundation
import Tracking

/// The tracking settings and part-rewriter wiring of the milter (`MessageProcessor.makePlan`
/// in TrackingMilter, which is no product; the rewriter choice is `DisplayedPartRewriters`): a real keyring, a fresh `TokenSealer` per message, a `SealedURLMaker` for one
/// recipient, click tracking and both open pixels, campaign id and metadata in the tokens.
struct Wiring {
    let keyring: TrackingKeyring
    let tracking: ResolvedTracking
    let options: TrackingOptions
    let limits = RewriteLimits()
    let recipient = "someone@example.org"

    init() throws {
        keyring = try TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "bench.keys")
        var options = TrackingOptions()
        options.openTrackingEnabled = true
        options.clickTrackingEnabled = true
        options.clickTrackingScheme = .https
        options.openTrackingScheme = .https
        options.trackingDomain = "click.example.com"
        self.options = options
        var policy = PolicyValues()
        try policy.set("smtpapi_campaign_id", to: "spring-newsletter-2026")
        try policy.set("smtpapi_metadata", to: #"{"user_id":"u-1234567","list":"weekly","region":"eu-west"}"#)
        try policy.set("smtpapi_tags", to: #"["newsletter","weekly"]"#)
        tracking = ResolvedTracking.resolve(options: options, header: nil, policy: policy, customerID: "42")
    }

    /// A URL maker for a new message: a fresh sealer (fresh message id), as the milter makes one per message.
    func makeURLMaker() -> SealedURLMaker {
        SealedURLMaker(
            sealer: TokenSealer(keyring: keyring), tracking: tracking, recipient: recipient, options: options, now: Date())
    }

    /// The milter's own choice of rewriter for a part (`DisplayedPartRewriters`).
    func partRewriter(_ part: DisplayedPart, urls: any TrackedURLMaker) -> (any PartRewriter)? {
        DisplayedPartRewriters.make(part, tracking: tracking, options: options, urls: urls)
    }

    /// The HTML rewriter the milter uses for a message's first HTML part.
    func htmlRewriter(urls: any TrackedURLMaker) -> any PartRewriter {
        partRewriter(DisplayedPart(kind: .html, charset: "utf-8", htmlIndex: 0), urls: urls)!
    }

    /// A MIME rewriter for one message, wired like `MessageProcessor.makePlan`.
    func mimeRewriter(headers: [(name: String, value: String)], bodySizeHint: Int?) -> MIMERewriter {
        let maker = makeURLMaker()
        return MIMERewriter(headers: headers, limits: limits, bodySizeHint: bodySizeHint) { part in
            partRewriter(part, urls: maker)
        }
    }
}

/// A message split into its header fields (as a milter gets them: name, value without the
/// leading space, folding kept) and its body (what follows the blank line).
struct SplitMessage {
    var headers: [(name: String, value: String)]
    var headerBytes: Int
    var body: [UInt8]

    /// The offset of the body: just past the first empty line, or nil if none is in `bytes` yet.
    static func bodyOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            guard let lf = memchr(bytes.baseAddress! + i, 0x0A, n - i) else { return nil }
            let at = UnsafeRawPointer(lf) - bytes.baseAddress!
            // An empty line: LF at the start, or CR LF at the start.
            if at == i || (at == i + 1 && bytes[i] == 0x0D) { return at + 1 }
            i = at + 1
        }
        return nil
    }

    static func parseHeaders(_ block: ArraySlice<UInt8>) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        for rawLine in block.split(separator: 0x0A, omittingEmptySubsequences: true) {
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty { break }
            if line.first == 0x20 || line.first == 0x09 {
                if !fields.isEmpty { fields[fields.count - 1].value += "\r\n" + String(decoding: line, as: UTF8.self) }
                continue
            }
            guard let colon = line.firstIndex(of: 0x3A) else { continue }
            var value = line[(colon + 1)...]
            while value.first == 0x20 || value.first == 0x09 { value = value.dropFirst() }
            fields.append((String(decoding: line[..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return fields
    }

    init(file: String) throws {
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        guard let offset = data.withUnsafeBytes({ Self.bodyOffset($0) }) else {
            throw BenchError("\(file): no empty line after the header")
        }
        headers = Self.parseHeaders(data[..<offset])
        headerBytes = offset
        body = Array(data[offset...])
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

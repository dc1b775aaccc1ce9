import Testing
import Tracking

/// Random MIME-like garbage: the walker must not trap, chunking must not matter, and a
/// rewriter that changes nothing must leave the message unchanged.
struct MIMEFuzzTests {
    typealias T = MIMETestSupport

    static let fragments: [String] = [
        "--b\r\n", "--b--\r\n", "--b", "--c\n", "--c--", "-", "--", "\r\n", "\n", "\r", " ", "\t",
        "Content-Type: text/html\r\n", "Content-Type: text/plain; charset=utf-16\n",
        "Content-Type: multipart/alternative; boundary=c\r\n", "Content-Type: multipart/mixed; boundary=\"b\"\n",
        "Content-Type: message/rfc822\r\n", "Content-Transfer-Encoding: base64\r\n",
        "Content-Transfer-Encoding: quoted-printable\n", "Content-Transfer-Encoding: x-what\n",
        "Content-Disposition: attachment\r\n", "no colon here\n", "=3D", "=\r\n", "=", "=ZZ", "aGVsbG8=",
        "aHR0cDovL3g=", "http://x", "<a href=\"http://y\">", "\u{E9}", String(repeating: "z", count: 600),
    ]

    private static func message(_ generator: inout some RandomNumberGenerator) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 1...60, using: &generator) {
            if Int.random(in: 0..<10, using: &generator) == 0 {
                bytes.append(UInt8.random(in: 0...255, using: &generator))
            } else {
                bytes += Array(fragments.randomElement(using: &generator)!.utf8)
            }
        }
        return bytes
    }

    @Test func randomMessages() {
        var generator = SystemRandomNumberGenerator()
        let headerChoices: [[(name: String, value: String)]] = [
            [("Content-Type", "multipart/mixed; boundary=b")],
            [("Content-Type", "text/html"), ("Content-Transfer-Encoding", "quoted-printable")],
            [("Content-Type", "text/plain"), ("Content-Transfer-Encoding", "base64")],
            [],
        ]
        for _ in 0..<1500 {
            let headers = headerChoices.randomElement(using: &generator)!
            let body = Self.message(&generator)
            let untouched = T.run(headers: headers, body: body) { _ in FramingPartRewriter(reportsChanged: false) }
            #expect(untouched.body == nil)
            let whole = T.run(headers: headers, body: body) { _ in FramingPartRewriter(prefix: "P", suffix: "S") }
            let sizes = (0..<3).map { _ in Int.random(in: 1...9, using: &generator) }
            let split = T.run(headers: headers, body: body, chunkSizes: sizes) { _ in FramingPartRewriter(prefix: "P", suffix: "S") }
            let same = whole.body == split.body && whole.partsRewritten == split.partsRewritten
            #expect(same, "chunk sizes \(sizes) changed the output of \(body)")
            if !same { return }
        }
    }
}

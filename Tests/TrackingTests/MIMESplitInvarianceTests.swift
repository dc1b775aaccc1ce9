import Testing
import Tracking

/// Any split of the body into chunks must give the same output as feeding it whole.
struct MIMESplitInvarianceTests {
    typealias T = MIMETestSupport

    static let headers: [(name: String, value: String)] = [("Content-Type", "multipart/mixed; boundary=\"outer\"")]

    /// Mixed line endings, every encoding, nesting, a long "--" line, a bad part and no final boundary.
    static let body: [UInt8] = {
        let html = Array("<html><body><a href=\"http://example.com/x\">x</a> http://y</body></html>".utf8)
        var text = "preamble http://pre\r\n"
        text += "--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
        text += "--inner\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        text += "caf=C3=A9 http://a=\n.example/=3D \nsecond line  \n"
        text += "--inner\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        text += String(decoding: Base64Codec.encode(html), as: UTF8.self) + "\r\n"
        text += "--inner--\r\n\r\n"
        text += "--outer\r\nContent-Type: text/plain\r\n\r\n"
        text += "--" + String(repeating: "-", count: 2000) + " http://dashes\r\n-\r\n-x http://dash\r\n"
        text += "--outer\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nnot base64 !!\r\n"
        text += "--outer\r\nContent-Type: application/octet-stream\r\n\r\n" + String(repeating: "http://z ", count: 40) + "\r\n"
        text += "--outer\r\nContent-Type: text/plain\r\n\r\nlast http://end"
        return Array(text.utf8)
    }()

    private func run(_ sizes: [Int]) -> MIMERewriteResult {
        T.run(headers: Self.headers, body: Self.body, chunkSizes: sizes)
    }

    @Test func byteByByteEqualsWhole() throws {
        let whole = run([])
        let body = try #require(whole.body)
        #expect(whole.partsRewritten == 4)
        #expect(whole.notes.count == 1)
        #expect(run([1]).body == body)
        #expect(run([2]).body == body)
        #expect(run([3, 1, 7]).body == body)
    }

    @Test func randomSplitsEqualWhole() throws {
        let whole = try #require(run([]).body)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let sizes = (0..<Int.random(in: 1...12, using: &generator)).map { _ in Int.random(in: 1...90, using: &generator) }
            let result = run(sizes)
            #expect(result.body == whole, "chunk sizes \(sizes)")
        }
    }

    @Test func everySingleCutEqualsWhole() throws {
        let whole = try #require(run([]).body)
        for cut in 1..<Self.body.count {
            let walker = MIMERewriter(headers: Self.headers, limits: RewriteLimits()) { _ in HTTPUppercasingPartRewriter() }
            Self.body.withUnsafeBytes {
                walker.feed(UnsafeRawBufferPointer(rebasing: $0[..<cut]))
                walker.feed(UnsafeRawBufferPointer(rebasing: $0[cut...]))
            }
            #expect(walker.finish().body == whole, "cut at \(cut)")
        }
    }

    @Test func sizeHintChangesNothing() throws {
        let whole = try #require(run([]).body)
        for hint in [1, Self.body.count, 10 * Self.body.count] {
            let walker = MIMERewriter(headers: Self.headers, output: SegmentedBody(sizeHint: hint)) { _ in HTTPUppercasingPartRewriter() }
            Self.body.withUnsafeBytes { walker.feed($0) }
            #expect(walker.finish().body == whole)
        }
    }

    @Test func singlePartSplitsEqualWhole() throws {
        let headers = [("Content-Type", "text/plain"), ("Content-Transfer-Encoding", "quoted-printable")]
        let body = Array((String(repeating: "abc http://x =3D ", count: 30) + "=\r\n\r\nend \r\n").utf8)
        let whole = try #require(T.run(headers: headers, body: body).body)
        for size in 1...40 {
            #expect(T.run(headers: headers, body: body, chunkSizes: [size]).body == whole, "size \(size)")
        }
    }
}

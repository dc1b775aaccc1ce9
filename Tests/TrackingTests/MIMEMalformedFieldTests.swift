import Testing
import Tracking

/// Content-* field values that end inside a construct: the walker reads what it can and
/// never indexes past the value.
struct MIMEMalformedFieldTests {
    typealias T = MIMETestSupport

    @Test func aBackslashEndingAContentTypeCommentIsNoTrap() {
        // `text/plain (\`: the quoted-pair's backslash is the value's last byte.
        for value in ["text/plain (\\", "text/plain; charset=us-ascii (\\", "text/plain (a (b \\"] {
            let result = T.run(headers: [("Content-Type", value)], body: T.bytes("see http://x\n"))
            #expect(T.text(result) == "see HTTP://x\n", "Content-Type: \(value)")
        }
        let encoded = T.run(headers: [("Content-Type", "text/plain"), ("Content-Transfer-Encoding", "base64 (\\")],
                            body: T.bytes("aHR0cDovL3gK\n"))
        #expect(encoded.body != nil)
        let attachment = T.run(headers: [("Content-Type", "text/plain"), ("Content-Disposition", "attachment (\\")],
                               body: T.bytes("http://x\n"))
        #expect(attachment.body == nil)
        let part = T.run(headers: [("Content-Type", "multipart/mixed; boundary=b")],
                         body: T.bytes("--b\nContent-Type: text/plain (\\\n\nhttp://x\n--b--\n"))
        #expect(T.text(part) == "--b\nContent-Type: text/plain (\\\n\nHTTP://x\n--b--\n")
    }

    @Test func fiftyThousandRFC2231SectionsAreJoinedInLinearTime() {
        // Sections 1... are empty, so the boundary is section 0's "b"; a quadratic search
        // for duplicate section numbers took minutes here.
        let sections = (1..<50_000).map { ";\r\n boundary*\($0)=\"\"" }.joined()
        let headers = [("Content-Type", "multipart/mixed; boundary*0=\"b\"" + sections)]
        let started = ContinuousClock.now
        let result = T.run(headers: headers, body: T.bytes("--b\nContent-Type: text/plain\n\nhttp://x\n--b--\n"))
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(T.text(result) == "--b\nContent-Type: text/plain\n\nHTTP://x\n--b--\n")
    }
}

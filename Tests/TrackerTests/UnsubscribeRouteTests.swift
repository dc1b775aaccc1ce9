import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Tracker
import Tracking
import TrackingRuntime

extension TrackerFixture {
    func listUnsubscribe(expiry: UInt32 = TrackerFixture.future, recipient: String? = "jane@example.org") throws
        -> (text: String, token: TrackingToken)
    {
        try seal {
            TrackingToken(kind: .listUnsubscribe, messageID: $0, recipient: recipient, customerID: "customer-17",
                          campaignID: "spring-2026", metadata: #"{"plan":"gold"}"#, tags: ["promo"], expiry: expiry)
        }
    }
}

extension TrackerClient {
    static let formType = "application/x-www-form-urlencoded"

    func post(_ path: String, body: String, contentType: String? = TrackerClient.formType, userAgent: String? = nil)
        async throws -> TestClient.Response
    {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        if let userAgent { headers[.userAgent] = userAgent }
        return try await client.execute(TestClient.Request(
            path, method: .post, authority: "127.0.0.1", headers: headers, body: ByteBuffer(string: body)))
    }
}

@Suite("One-click unsubscribe on /u/ over HTTP on 127.0.0.1")
struct UnsubscribeRouteTests {
    @Test("POST with List-Unsubscribe=One-Click answers 200 and writes exactly one list_unsubscribe event")
    func postRecords() async throws {
        let fixture = TrackerFixture()
        let (token, sealed) = try fixture.listUnsubscribe()
        let response = try await fixture.withServer {
            try await $0.post("/u/\(token)", body: "List-Unsubscribe=One-Click", userAgent: "Gmail-Unsubscribe")
        }
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
        #expect(response.bodyText.contains("Unsubscribed"))
        let events = fixture.eventObjects
        try #require(events.count == 1)
        let event = events[0]
        #expect(event["type"] as? String == "list_unsubscribe")
        #expect(event["rcpt_to"] as? String == "jane@example.org")
        #expect(event["campaign_id"] as? String == "spring-2026")
        #expect(event["customer_id"] as? String == "customer-17")
        #expect(event["message_id"] as? String == Hex.lower(sealed.messageID))
        #expect(event["rcpt_tags"] as? [String] == ["promo"])
        #expect((event["rcpt_meta"] as? [String: Any])?["plan"] as? String == "gold")
        #expect(event["user_agent"] as? String == "Gmail-Unsubscribe")
        #expect(event["ip_address"] as? String == "127.0.0.1")
        #expect(event.keys.contains("machine"))
        #expect(event["target_link_url"] == nil)
    }

    @Test("GET and HEAD show the confirmation page (a POST form button) and write nothing")
    func getShowsPage() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.listUnsubscribe()
        let (get, head) = try await fixture.withServer { client in
            (try await client.get("/u/\(token)"), try await client.request("/u/\(token)", method: .head))
        }
        #expect(get.status == .ok)
        #expect(get.headers[.contentType] == "text/html; charset=utf-8")
        #expect(get.headers[.cacheControl] == "no-store")
        #expect(get.headers[Names.robotsTag] == "noindex")
        #expect(get.bodyText.contains(#"<form method="post">"#))
        #expect(get.bodyText.contains(#"name="List-Unsubscribe" value="One-Click""#))
        #expect(head.status == .ok && head.bodyBytes.isEmpty)
        #expect(fixture.events.lines.isEmpty)
    }

    @Test("the page's own form, posted back as a browser would, records the unsubscribe")
    func pageFormPostsBack() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.listUnsubscribe()
        let page = Responses.unsubscribePageText
        // What a browser sends for the form: its one hidden field, URL-encoded.
        #expect(page.contains(#"<input type="hidden" name="List-Unsubscribe" value="One-Click">"#))
        let response = try await fixture.withServer { try await $0.post("/u/\(token)", body: "List-Unsubscribe=One-Click") }
        #expect(response.status == .ok)
        #expect(fixture.events.lines.count == 1)
    }

    @Test("multipart/form-data, as some providers send it, is accepted too")
    func multipart() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.listUnsubscribe()
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n"
        let response = try await fixture.withServer {
            try await $0.post("/u/\(token)", body: body, contentType: "multipart/form-data; boundary=\"XyZ\"")
        }
        #expect(response.status == .ok)
        #expect(fixture.eventObjects.map { $0["type"] as? String } == ["list_unsubscribe"])
    }

    @Test("tampered, truncated, click and open tokens answer 404 to GET and POST and write nothing")
    func invalidTokens() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.listUnsubscribe()
        let (click, _) = try fixture.click()
        let (open, _) = try fixture.open()
        let bad = [flipOneCharacter(token, at: token.count / 2), String(token.prefix(token.count - 4)), click, open, "x"]
        let statuses = try await fixture.withServer { client in
            var out: [HTTPResponse.Status] = []
            for text in bad {
                out.append(try await client.get("/u/\(text)").status)
                out.append(try await client.post("/u/\(text)", body: "List-Unsubscribe=One-Click").status)
            }
            return out
        }
        #expect(statuses == Array(repeating: .notFound, count: bad.count * 2))
        #expect(fixture.events.lines.isEmpty)
    }

    @Test("a list-unsubscribe token is no click on /f/ (404) and no open on /q/ (the GIF, nothing written)")
    func wrongRoutes() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.listUnsubscribe()
        let (click, pixel) = try await fixture.withServer { client in
            (try await client.get("/f/a/\(token)"), try await client.get("/q/\(token)"))
        }
        #expect(click.status == .notFound)
        #expect(pixel.status == .ok && pixel.headers[.contentType] == "image/gif")
        #expect(fixture.events.lines.isEmpty)
    }

    @Test("a body that is not List-Unsubscribe=One-Click answers 400 and writes nothing", arguments: [
        "", "List-Unsubscribe=Yes", "unsubscribe=1", "List-Unsubscribe", "One-Click",
    ])
    func wrongBody(body: String) async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.listUnsubscribe()
        let response = try await fixture.withServer { try await $0.post("/u/\(token)", body: body) }
        #expect(response.status == .badRequest)
        #expect(response.bodyText == Responses.notOneClickText)
        #expect(fixture.events.lines.isEmpty)
    }

    @Test("a body over the bound answers 413 and writes nothing; one at the bound is read")
    func bodyBound() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.listUnsubscribe()
        let field = "List-Unsubscribe=One-Click&pad="
        let atBound = field + String(repeating: "x", count: OneClickForm.maxBodyBytes - field.utf8.count)
        let (over, at) = try await fixture.withServer { client in
            (try await client.post("/u/\(token)", body: atBound + "x"), try await client.post("/u/\(token)", body: atBound))
        }
        #expect(over.status == .contentTooLarge)
        #expect(at.status == .ok)
        #expect(fixture.events.lines.count == 1)
    }

    @Test("an expired token is still recorded: an unsubscribe is never dropped")
    func expiredStillRecorded() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.listUnsubscribe(expiry: TrackerFixture.past)
        let (page, post) = try await fixture.withServer { client in
            (try await client.get("/u/\(token)"), try await client.post("/u/\(token)", body: "List-Unsubscribe=One-Click"))
        }
        #expect(page.status == .ok)
        #expect(post.status == .ok)
        #expect(fixture.eventObjects.map { $0["type"] as? String } == ["list_unsubscribe"])
    }

    @Test("POSTs count against click_rate_limit: past it 429 with Retry-After and no event")
    func rateLimited() async throws {
        var settings = TrackerSettings()
        settings.clickRateLimit = 2
        let fixture = TrackerFixture(settings: settings)
        let (token, _) = try fixture.listUnsubscribe()
        let responses = try await fixture.withServer { client in
            var out: [TestClient.Response] = []
            for _ in 0..<3 { out.append(try await client.post("/u/\(token)", body: "List-Unsubscribe=One-Click")) }
            out.append(try await client.get("/metrics"))
            return out
        }
        #expect(responses.prefix(3).map(\.status) == [.ok, .ok, .tooManyRequests])
        #expect(responses[2].headers[.retryAfter] == "60")
        #expect(fixture.events.lines.count == 2)
        let metrics = responses[3].bodyText
        #expect(metrics.contains(#"tracker_requests_total{route="unsubscribe",outcome="recorded"} 2"#), "\(metrics)")
        #expect(metrics.contains(#"tracker_requests_total{route="unsubscribe",outcome="rate_limited"} 1"#))
        #expect(metrics.contains(#"tracker_events_total{type="list_unsubscribe"} 2"#))
    }

    @Test("a machine rule may be limited to list_unsubscribe: the POST's event carries the machine's name")
    func machineRule() async throws {
        let rules = try MachineRulesLoader.parse(
            "machines:\n  - name: gmail_one_click\n    user_agent_contains: [Gmail]\n    events: [list_unsubscribe]\n", file: "m.yaml")
        let fixture = TrackerFixture(machines: rules)
        let (token, _) = try fixture.listUnsubscribe()
        let (click, _) = try fixture.click()
        try await fixture.withServer { client in
            _ = try await client.post("/u/\(token)", body: "List-Unsubscribe=One-Click", userAgent: "Gmail one-click")
            _ = try await client.get("/f/a/\(click)", userAgent: "Gmail one-click")
        }
        #expect(fixture.eventObjects.map { $0["type"] as? String } == ["list_unsubscribe", "click"])
        #expect(fixture.eventObjects.map { $0["machine"] as? String } == ["gmail_one_click", nil])
    }

    @Test("metrics count the page, the POST and other methods by outcome; Allow names POST")
    func metricsAndMethods() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.listUnsubscribe()
        let (put, metrics) = try await fixture.withServer { client in
            _ = try await client.get("/u/\(token)")
            _ = try await client.post("/u/\(token)", body: "nope")
            let put = try await client.request("/u/\(token)", method: .put)
            return (put, try await client.get("/metrics").bodyText)
        }
        #expect(put.status == .methodNotAllowed && put.headers[.allow] == "GET, HEAD, POST")
        #expect(metrics.contains(#"tracker_requests_total{route="unsubscribe",outcome="ok"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"tracker_requests_total{route="unsubscribe",outcome="bad_request"} 1"#))
        #expect(metrics.contains(#"tracker_requests_total{route="unsubscribe",outcome="method_not_allowed"} 1"#))
        #expect(metrics.contains(#"tracker_request_duration_seconds_count{route="unsubscribe"} 3"#))
    }
}

@Suite("The one-click form body")
struct OneClickFormTests {
    @Test("URL-encoded bodies", arguments: [
        ("List-Unsubscribe=One-Click", true), ("List-Unsubscribe=One-Click\r\n", true),
        ("a=1&List-Unsubscribe=One-Click", true), ("List-Unsubscribe=One%2DClick", true),
        ("list-unsubscribe=one-click", true), ("List%2DUnsubscribe=One-Click", true),
        ("List-Unsubscribe=One-Click-Not", false), ("List-Unsubscribe=", false), ("=One-Click", false), ("%", false),
        ("List-Unsubscribe=%E", false),
    ])
    func urlEncoded(body: String, expected: Bool) {
        #expect(OneClickForm.isOneClick(body: Array(body.utf8), contentType: TrackerClient.formType) == expected)
        #expect(OneClickForm.isOneClick(body: Array(body.utf8), contentType: nil) == expected)
    }

    @Test("multipart bodies: the named part with One-Click, CRLF or LF, quoted boundary or not")
    func multipart() {
        let crlf = "preamble\r\n--b1\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n"
            + "--b1\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b1--\r\n"
        #expect(OneClickForm.isOneClick(body: Array(crlf.utf8), contentType: "multipart/form-data; boundary=b1"))
        let lf = "--b1\nContent-Disposition: form-data; name=List-Unsubscribe\n\nOne-Click\n--b1--\n"
        #expect(OneClickForm.isOneClick(body: Array(lf.utf8), contentType: "Multipart/Form-Data;boundary=\"b1\""))
        let wrongValue = "--b1\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nNo\r\n--b1--\r\n"
        #expect(!OneClickForm.isOneClick(body: Array(wrongValue.utf8), contentType: "multipart/form-data; boundary=b1"))
        // The field only in the preamble or after the closing boundary does not count.
        let outside = "List-Unsubscribe=One-Click\r\n--b1--\r\n"
        #expect(!OneClickForm.isOneClick(body: Array(outside.utf8), contentType: "multipart/form-data; boundary=b1"))
        #expect(!OneClickForm.isOneClick(body: Array(crlf.utf8), contentType: "multipart/form-data; boundary=other"))
    }

    @Test("arbitrary bytes never trap", arguments: 0..<200)
    func arbitraryBytes(seed: Int) {
        // A linear congruential sequence: reproducible, and enough to mix the interesting bytes.
        var state = UInt64(seed) &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let alphabet = Array("-=&%+\r\n\"; bList-UnsubscribeOne-Click".utf8) + [0, 0xFF]
        let body = (0..<next() % 300).map { _ in alphabet[next() % alphabet.count] }
        _ = OneClickForm.isOneClick(body: body, contentType: "multipart/form-data; boundary=b")
        _ = OneClickForm.isOneClick(body: body, contentType: nil)
    }
}

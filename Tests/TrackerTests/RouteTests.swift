import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Tracker
import Tracking
import TrackingRuntime

@Suite("Tracker routes over HTTP on 127.0.0.1")
struct RouteTests {
    @Test("a valid click answers 302 with exactly Location, Cache-Control, X-Robots-Tag and no body")
    func clickRedirects() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.click()
        let response = try await fixture.withServer { try await $0.get("/f/a/\(token)") }
        #expect(response.status == .found)
        #expect(response.headers[.location] == "https://shop.example/spring?a=1&b=2")
        #expect(response.headers[.cacheControl] == "no-store")
        #expect(response.headers[Names.robotsTag] == "noindex")
        #expect(response.headers[.contentLength] == "0")
        #expect(response.bodyBytes.isEmpty)
        // Nothing else: no cookies, no content type, no server banner.
        let names = Set(response.headers.map { $0.name.canonicalName })
        #expect(names.isSubset(of: ["location", "cache-control", "x-robots-tag", "content-length", "date"]))
        #expect(fixture.events.lines.count == 1)
    }

    @Test("the sublink segment may be anything, percent-encoded included")
    func sublinks() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.click()
        let statuses = try await fixture.withServer { client in
            var out: [HTTPResponse.Status] = []
            for sublink in ["a", "buy%20now", "%E2%82%AC", "pricing"] {
                out.append(try await client.get("/f/\(sublink)/\(token)").status)
            }
            return out
        }
        #expect(statuses == [.found, .found, .found, .found])
    }

    @Test("tampered, truncated, foreign-key, empty and open tokens on /f/ answer 404 with a short page, never a Location")
    func invalidClicks() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.click()
        let (openToken, _) = try fixture.open()
        let foreign = try TrackerFixture().click().text  // another key file, same key id 1
        let otherKeyID = try TrackerFixture(keyring: TrackingKeyring(
            keys: [TrackingKey(id: 9, secret: [UInt8](repeating: 7, count: 32))!], activeID: 9)!).click().text
        let paths = [
            "/f/a/\(flipOneCharacter(token, at: token.count / 2))",  // ciphertext byte
            "/f/a/\(flipOneCharacter(token, at: token.count - 2))",  // tag
            "/f/a/\(flipOneCharacter(token, at: 1))",  // version/key id
            "/f/a/\(String(token.prefix(token.count - 5)))",  // truncated
            "/f/a/\(String(token.prefix(10)))",  // truncated hard
            "/f/a/\(foreign)",
            "/f/a/\(otherKeyID)",
            "/f/a/",  // empty token
            "/f/a",  // no token segment
            "/f/\(token)",  // no sublink
            "/f/a/\(token)/extra",
            "/f/a/\(token)%3D",
            "/f/a/\(openToken)",  // an open token has no target
        ]
        let responses = try await fixture.withServer { client in
            var out: [TestClient.Response] = []
            for path in paths { out.append(try await client.get(path)) }
            return out
        }
        for (path, response) in zip(paths, responses) {
            #expect(response.status == .notFound, "\(path)")
            #expect(response.headers[.location] == nil, "\(path)")
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8", "\(path)")
            #expect(response.bodyText.contains("not valid") && response.bodyBytes.count < 200, "\(path)")
        }
        #expect(fixture.events.lines.isEmpty)
    }

    @Test("an expired click still redirects but writes no event")
    func expiredClick() async throws {
        let fixture = TrackerFixture()
        let (token, _) = try fixture.click(expiry: TrackerFixture.past)
        let response = try await fixture.withServer { try await $0.get("/f/a/\(token)") }
        #expect(response.status == .found)
        #expect(response.headers[.location] == "https://shop.example/spring?a=1&b=2")
        #expect(fixture.events.lines.isEmpty)
    }

    @Test("the expiry second itself is expired")
    func expiryBoundary() async throws {
        let fixture = TrackerFixture(now: { Date(timeIntervalSince1970: 2_000_000_000) })
        let (atExpiry, _) = try fixture.click(expiry: 2_000_000_000)
        let (justBefore, _) = try fixture.click(expiry: 2_000_000_001)
        _ = try await fixture.withServer { client in
            _ = try await client.get("/f/a/\(atExpiry)")
            _ = try await client.get("/f/a/\(justBefore)")
        }
        #expect(fixture.events.lines.count == 1)
    }

    @Test("/q/ answers the 43-byte transparent GIF with no-store for valid, invalid, expired and click tokens alike")
    func pixel() async throws {
        let fixture = TrackerFixture()
        let (open, _) = try fixture.open()
        let (initial, _) = try fixture.open(initial: true)
        let (expired, _) = try fixture.open(expiry: TrackerFixture.past)
        let (click, _) = try fixture.click()
        let paths = ["/q/\(open)", "/q/\(initial)", "/q/\(expired)", "/q/\(click)", "/q/\(flipOneCharacter(open, at: 20))",
                     "/q/garbage", "/q/", "/q/\(open)?utm=1"]
        let responses = try await fixture.withServer { client in
            var out: [TestClient.Response] = []
            for path in paths { out.append(try await client.get(path)) }
            return out
        }
        for (path, response) in zip(paths, responses) {
            #expect(response.status == .ok, "\(path)")
            #expect(response.headers[.contentType] == "image/gif", "\(path)")
            #expect(response.headers[.cacheControl] == "no-store", "\(path)")
            #expect(response.headers[.contentLength] == "43", "\(path)")
            #expect(response.bodyBytes == Responses.gif, "\(path)")
        }
        // Only the valid, unexpired opens (the first, the second and the query-string one) recorded.
        #expect(fixture.eventObjects.map { $0["type"] as? String } == ["open", "initial_open", "open"])
    }

    @Test("the GIF is a well-formed 1x1 GIF89a with a transparent colour")
    func gifBytes() {
        let gif = Responses.gif
        #expect(gif.count == 43)
        #expect(Array(gif.prefix(6)) == Array("GIF89a".utf8))
        #expect(gif[6] == 1 && gif[7] == 0 && gif[8] == 1 && gif[9] == 0)  // 1x1
        #expect(Array(gif[19...21]) == [0x21, 0xF9, 0x04] && gif[22] & 1 == 1)  // graphic control: transparency on
        #expect(gif.last == 0x3B)
    }

    @Test("HEAD answers like GET without a body, and records like GET")
    func head() async throws {
        let fixture = TrackerFixture()
        let (click, _) = try fixture.click()
        let (open, _) = try fixture.open()
        let (redirect, pixel, health) = try await fixture.withServer { client in
            (try await client.request("/f/a/\(click)", method: .head), try await client.request("/q/\(open)", method: .head),
             try await client.request("/healthz", method: .head))
        }
        #expect(redirect.status == .found && redirect.headers[.location] == "https://shop.example/spring?a=1&b=2")
        #expect(redirect.headers[.cacheControl] == "no-store" && redirect.headers[Names.robotsTag] == "noindex")
        #expect(redirect.bodyBytes.isEmpty)
        #expect(pixel.status == .ok && pixel.headers[.contentType] == "image/gif" && pixel.headers[.cacheControl] == "no-store")
        #expect(pixel.headers[.contentLength] == "43" && pixel.bodyBytes.isEmpty)
        #expect(health.status == .ok && health.bodyBytes.isEmpty)
        #expect(fixture.eventObjects.map { $0["type"] as? String } == ["click", "open"])
    }

    @Test("other methods answer 405 with Allow; unknown paths 404")
    func methods() async throws {
        let fixture = TrackerFixture()
        let (click, _) = try fixture.click()
        let (open, _) = try fixture.open()
        let results = try await fixture.withServer { client in
            var out: [(String, HTTPResponse.Status, String?)] = []
            for (path, method) in [("/f/a/\(click)", HTTPRequest.Method.post), ("/f/a/\(click)", .put), ("/q/\(open)", .post),
                                   ("/q/\(open)", .delete), ("/healthz", .post), ("/metrics", .options), ("/f/a/\(click)", .options)] {
                let r = try await client.request(path, method: method)
                out.append(("\(method) \(path.prefix(8))", r.status, r.headers[.allow]))
            }
            for path in ["/", "/favicon.ico", "/f", "/q", "/robots.txt", "/F/a/\(click)"] {
                let r = try await client.get(path)
                out.append(("GET \(path.prefix(8))", r.status, nil))
            }
            return out
        }
        for (what, status, allow) in results.prefix(7) {
            #expect(status == .methodNotAllowed, "\(what)")
            #expect(allow == "GET, HEAD", "\(what)")
        }
        for (what, status, _) in results.dropFirst(7) { #expect(status == .notFound, "\(what)") }
        #expect(fixture.events.lines.isEmpty)
    }

    @Test("a target over 4096 bytes is refused with 404; 4096 bytes still redirects")
    func longTargets() async throws {
        let fixture = TrackerFixture()
        let base = "https://shop.example/?q="
        let exact = base + String(repeating: "x", count: 4096 - base.utf8.count)
        let over = exact + "y"
        let (exactToken, _) = try fixture.click(target: exact)
        let (overToken, _) = try fixture.click(target: over)
        let (ok, refused) = try await fixture.withServer { client in
            (try await client.get("/f/a/\(exactToken)"), try await client.get("/f/a/\(overToken)"))
        }
        #expect(ok.status == .found && ok.headers[.location] == exact)
        #expect(refused.status == .notFound && refused.headers[.location] == nil)
        #expect(fixture.events.lines.count == 1)
    }

    @Test("only http and https targets are ever redirected to, even from an authentic token")
    func schemes() async throws {
        let fixture = TrackerFixture()
        let targets = ["javascript:alert(1)", "data:text/html,hi", "ftp://files.example/x", "//evil.example/",
                       "https:///evil.example", "http:\\\\evil.example", "file:///etc/passwd", "mailto:a@b.example",
                       "https://ok.example/a\r\nSet-Cookie: x=1", ""]
        let tokens = try targets.map { try fixture.click(target: $0).text }
        let (refused, upper) = try await fixture.withServer { client in
            var out: [TestClient.Response] = []
            for token in tokens { out.append(try await client.get("/f/a/\(token)")) }
            let upper = try await client.get("/f/a/\(try fixture.click(target: "HTTPS://Shop.example/x y").text)")
            return (out, upper)
        }
        for (target, response) in zip(targets, refused) {
            #expect(response.status == .notFound, "\(target)")
            #expect(response.headers[.location] == nil, "\(target)")
        }
        #expect(upper.status == .found && upper.headers[.location] == "HTTPS://Shop.example/x%20y")
    }

    @Test("/healthz answers ok; /metrics counts requests by route and outcome, events by type, and latency")
    func healthAndMetrics() async throws {
        let fixture = TrackerFixture()
        let (click, _) = try fixture.click()
        let (open, _) = try fixture.open()
        let (health, metrics) = try await fixture.withServer { client in
            _ = try await client.get("/f/a/\(click)")
            _ = try await client.get("/f/a/bogus")
            _ = try await client.get("/q/\(open)")
            return (try await client.get("/healthz"), try await client.get("/metrics"))
        }
        #expect(health.status == .ok && health.bodyText == "ok\n")
        #expect(metrics.status == .ok)
        #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = metrics.bodyText
        #expect(text.contains(#"tracker_requests_total{route="click",outcome="redirected"} 1"#))
        #expect(text.contains(#"tracker_requests_total{route="click",outcome="invalid"} 1"#))
        #expect(text.contains(#"tracker_requests_total{route="open",outcome="recorded"} 1"#))
        #expect(text.contains(#"tracker_requests_total{route="healthz",outcome="ok"} 1"#))
        #expect(text.contains(#"tracker_events_total{type="click"} 1"#))
        #expect(text.contains(#"tracker_events_total{type="open"} 1"#))
        #expect(text.contains("# TYPE tracker_request_duration_seconds histogram"))
        #expect(text.contains(#"tracker_request_duration_seconds_count{route="click"} 2"#))
        #expect(text.contains("tracker_rate_limit_clients"))
    }
}

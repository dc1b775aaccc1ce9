import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import Tracker
import Tracking
import TrackingRuntime

@Suite("Client address and click rate limiting")
struct ClientAndRateLimitTests {
    static func settings(trusted: [String] = [], limit: Int = 60, clients: Int = 100_000) -> TrackerSettings {
        var s = TrackerSettings()
        s.trustedProxies = trusted.map { IPNetwork($0)! }
        s.clickRateLimit = limit
        s.rateLimitClients = clients
        return s
    }

    @Test("X-Forwarded-For is honoured only when the peer is a trusted proxy, right-most untrusted entry first")
    func forwardedFor() async throws {
        let trusting = TrackerFixture(settings: Self.settings(trusted: ["127.0.0.1/32", "10.0.0.0/8"]))
        let (token, _) = try trusting.click()
        _ = try await trusting.withServer { client in
            _ = try await client.get("/f/a/\(token)", forwardedFor: "203.0.113.7")
            _ = try await client.get("/f/a/\(token)", forwardedFor: "198.51.100.1, 203.0.113.8")  // left part is the client's word
            _ = try await client.get("/f/a/\(token)", forwardedFor: "203.0.113.9, 10.1.2.3")  // an inner trusted proxy
            _ = try await client.get("/f/a/\(token)", forwardedFor: "10.9.9.9, 10.1.2.3")  // all trusted: the left-most
            _ = try await client.get("/f/a/\(token)", forwardedFor: "2001:db8::7")
            _ = try await client.get("/f/a/\(token)", forwardedFor: "garbage, 203.0.113.10")
            _ = try await client.get("/f/a/\(token)", forwardedFor: "203.0.113.11, garbage")  // stop at garbage: the proxy
            _ = try await client.get("/f/a/\(token)", forwardedFor: "[2001:db8::8]:4711")
            _ = try await client.get("/f/a/\(token)", forwardedFor: "203.0.113.12:5555")
            _ = try await client.get("/f/a/\(token)")  // no header: the peer
        }
        #expect(trusting.eventObjects.map { $0["ip_address"] as? String } == [
            "203.0.113.7", "203.0.113.8", "203.0.113.9", "10.9.9.9", "2001:db8::7", "203.0.113.10", "127.0.0.1",
            "2001:db8::8", "203.0.113.12", "127.0.0.1",
        ])

        let untrusting = TrackerFixture(settings: Self.settings(trusted: ["10.0.0.0/8"]))
        let (token2, _) = try untrusting.click()
        _ = try await untrusting.withServer { client in
            _ = try await client.get("/f/a/\(token2)", forwardedFor: "203.0.113.7")
        }
        #expect(untrusting.eventObjects.map { $0["ip_address"] as? String } == ["127.0.0.1"])
    }

    @Test("several X-Forwarded-For fields read as one list, the last field last")
    func severalFields() {
        let resolver = ClientAddressResolver(trustedProxies: IPRangeSet([IPNetwork("127.0.0.1")!]))
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: ["198.51.100.1", "203.0.113.5"])?.description == "203.0.113.5")
        #expect(resolver.resolve(peer: "::ffff:127.0.0.1", forwardedFor: ["203.0.113.5"])?.description == "203.0.113.5")
        #expect(resolver.resolve(peer: "192.0.2.1", forwardedFor: ["203.0.113.5"])?.description == "192.0.2.1")
        #expect(resolver.resolve(peer: nil, forwardedFor: ["203.0.113.5"]) == nil)
    }

    @Test("address ranges: IPv4, IPv6, mapped IPv4, merged neighbours")
    func ranges() {
        let set = IPRangeSet(["10.0.0.0/8", "192.0.2.0/25", "192.0.2.128/25", "2001:db8::/32", "0.0.0.0/32"].map { IPNetwork($0)! })
        #expect(set.rangeCount == 4)
        for inside in ["10.255.255.255", "192.0.2.200", "2001:db8:ffff::1", "::ffff:10.1.2.3", "0.0.0.0"] {
            #expect(set.contains(ClientIP(inside)!), "\(inside)")
        }
        for outside in ["11.0.0.0", "192.0.3.0", "2001:db9::", "::1", "0.0.0.1"] {
            #expect(!set.contains(ClientIP(outside)!), "\(outside)")
        }
        let everything = IPRangeSet([IPNetwork("0.0.0.0/0")!, IPNetwork("::/0")!])
        #expect(everything.contains(ClientIP("255.255.255.255")!) && everything.contains(ClientIP("ffff::1")!))
        #expect(ClientIP("::ffff:192.0.2.1")?.description == "192.0.2.1")
        #expect(ClientIP("not an address") == nil && ClientIP("10.0.0.0/8") == nil)
    }

    @Test("the request-time address parser agrees with the configuration's", arguments: [
        "0.0.0.0", "255.255.255.255", "192.0.2.1", "::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:0:0:0:1",
        "1:2:3:4:5:6:7:8", "::ffff:203.0.113.9", "64:ff9b::192.0.2.33", "fe80::1:2", "1:2:3:4:5:6:1.2.3.4",
    ])
    func parserAgrees(text: String) throws {
        let ip = try #require(ClientIP(text))
        let network = try #require(IPNetwork(text))
        if network.address.count == 16, network.address[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] {
            #expect(ip.bytes == Array(network.address[12...]))
        } else {
            #expect(ip.bytes == network.address)
        }
    }

    @Test("malformed addresses are not addresses", arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/8", "1..2.3", "1.2.3.", "1234.1.1.1", ":", ":::", "1::2::3",
        "1:2:3:4:5:6:7:8:9", "12345::", "g::1", ":1", "1:", "1:2:3:4:5:6:7", "::1.2.3", "1.2.3.4::", "localhost", "[::1",
    ])
    func malformed(text: String) {
        #expect(ClientIP(text) == nil, "\(text)")
    }

    @Test("clicks over click_rate_limit per minute answer 403 and record nothing; other clients go on")
    func rateLimit() async throws {
        let fixture = TrackerFixture(settings: Self.settings(trusted: ["127.0.0.1"], limit: 3))
        let (token, _) = try fixture.click()
        let (open, _) = try fixture.open()
        let statuses = try await fixture.withServer { client in
            var out: [HTTPResponse.Status] = []
            for _ in 0..<5 { out.append(try await client.get("/f/a/\(token)", forwardedFor: "203.0.113.1").status) }
            out.append(try await client.get("/f/a/\(token)", forwardedFor: "203.0.113.2").status)
            out.append(try await client.get("/q/\(open)", forwardedFor: "203.0.113.1").status)  // opens have their own limit
            return out
        }
        #expect(statuses == [.found, .found, .found, .forbidden, .forbidden, .found, .ok])
        #expect(fixture.eventObjects.map { $0["ip_address"] as? String } == [
            "203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.1",
        ])
    }

    @Test("an open flood from one address still gets the pixel but records no more than open_rate_limit events")
    func openFlood() async throws {
        var settings = Self.settings(trusted: ["127.0.0.1"])
        settings.openRateLimit = 3
        let fixture = TrackerFixture(settings: settings)
        let (open, _) = try fixture.open()
        let responses = try await fixture.withServer { client in
            var out: [TestClient.Response] = []
            for _ in 0..<6 { out.append(try await client.get("/q/\(open)", forwardedFor: "203.0.113.1")) }
            out.append(try await client.get("/q/\(open)", forwardedFor: "203.0.113.2"))
            out.append(try await client.get("/metrics"))
            return out
        }
        for response in responses.dropLast() {
            #expect(response.status == .ok && response.bodyBytes == Responses.gif)
        }
        #expect(fixture.eventObjects.map { $0["ip_address"] as? String } == [
            "203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2",
        ])
        let metrics = String(decoding: try #require(responses.last).bodyBytes, as: UTF8.self)
        #expect(metrics.contains(#"tracker_requests_total{route="open",outcome="rate_limited"} 3"#), "\(metrics)")
    }

    @Test("the bucket refills at click_rate_limit per minute")
    func refill() {
        let clock = Mutex(0.0)
        let limiter = ClickRateLimiter(perMinute: 60, capacity: 100, now: { clock.withLock { $0 } })
        let address: [UInt8] = [192, 0, 2, 1]
        for _ in 0..<60 { #expect(limiter.allow(address)) }
        #expect(!limiter.allow(address))
        clock.withLock { $0 = 1.0 }  // one second: one click back
        #expect(limiter.allow(address))
        #expect(!limiter.allow(address))
        clock.withLock { $0 = 1000 }  // long after: a full bucket, not more
        for _ in 0..<60 { #expect(limiter.allow(address)) }
        #expect(!limiter.allow(address))
        #expect(ClickRateLimiter(perMinute: 0, capacity: 16).allow(address))
    }

    @Test("the rate limiter's table stays bounded, forgetting the least recently seen first")
    func bounded() async throws {
        let limiter = ClickRateLimiter(perMinute: 2, capacity: 1000)
        for i in 0..<50_000 {
            _ = limiter.allow([10, UInt8(i >> 16 & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF)])
            if i % 997 == 0 { #expect(limiter.trackedAddresses <= 1000) }
        }
        #expect(limiter.trackedAddresses <= 1000)
        #expect(limiter.trackedAddresses >= 500)
        // A client that keeps clicking is remembered (still limited) while others churn.
        let busy: [UInt8] = [192, 0, 2, 99]
        _ = limiter.allow(busy)
        _ = limiter.allow(busy)
        for i in 0..<400 {
            _ = limiter.allow([172, 16, UInt8(i >> 8), UInt8(i & 0xFF)])
            if i % 50 == 0 { #expect(!limiter.allow(busy)) }
        }

        // Through HTTP, with many distinct clients behind a trusted proxy.
        let fixture = TrackerFixture(settings: Self.settings(trusted: ["127.0.0.1"], limit: 5, clients: 64))
        let (token, _) = try fixture.click()
        let tracked = try await fixture.withServer { client in
            var most = 0
            for i in 0..<300 {
                let response = try await client.get("/f/a/\(token)", forwardedFor: "198.18.\(i / 250).\(i % 250)")
                #expect(response.status == .found)
                most = max(most, fixture.core.rateLimitedClients)
            }
            return most
        }
        #expect(tracked <= 64)
    }
}

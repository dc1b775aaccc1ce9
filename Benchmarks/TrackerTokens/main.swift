// Tokens and an in-process measurement for Benchmarks/run-tracker-wrk.
//
//   tracker-bench-tokens KEYFILE COUNT CLICKS_FILE OPENS_FILE
//       writes COUNT click paths (`/f/a/TOKEN`) and COUNT open paths (`/q/TOKEN`) sealed with
//       the active key of KEYFILE; every token is of its own message and recipient, with a
//       realistic target, campaign, metadata and tags.
//   tracker-bench-tokens --measure KEYFILE COUNT
//       times the tracker's own work per request (TrackerCore, no HTTP) for
//       click redirects and opens, events written to /dev/null.
import Foundation
import Hummingbird
import Logging
import Tracker
import Tracking
import TrackingRuntime

func fail(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
    exit(code)
}

func makeTokens(_ keyring: TrackingKeyring, _ count: Int) -> (clicks: [String], opens: [String]) {
    let expiry = TrackingToken.expiry(now: Date(), lifetime: 31_536_000)
    var clicks: [String] = [], opens: [String] = []
    for i in 0..<count {
        let sealer = TokenSealer(keyring: keyring)
        let recipient = "recipient\(i)@example.org"
        let metadata = #"{"customer_tier":"gold","order":\#(i),"segment":"spring-buyers"}"#
        let click = TrackingToken(
            kind: .click, targetURL: "https://shop.example.com/spring/item-\(i)?utm_source=mail&utm_campaign=spring",
            linkName: "Spring sale", messageID: sealer.messageID, recipient: recipient, customerID: "customer-17",
            campaignID: "spring-2026", metadata: metadata, tags: ["promo", "q2"], expiry: expiry)
        let open = TrackingToken(
            kind: .open, messageID: sealer.messageID, recipient: recipient, customerID: "customer-17",
            campaignID: "spring-2026", metadata: metadata, tags: ["promo", "q2"], expiry: expiry)
        do {
            clicks.append("/f/a/\(try sealer.seal(click))")
            opens.append("/q/\(try sealer.seal(open))")
        } catch {
            fail("\(error)", 70)
        }
    }
    return (clicks, opens)
}

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "--measure", let count = Int(arguments[3]), count > 0 {
    let keyring: TrackingKeyring
    do { keyring = try TrackingKeyring(contentsOfFile: arguments[2]) } catch { fail("\(error)", 66) }
    let (clicks, opens) = makeTokens(keyring, 1000)
    let events: FileEventWriter
    do { events = try FileEventWriter(appendingTo: "/dev/null") } catch { fail("\(error)", 73) }
    var settings = TrackerSettings()
    settings.clickRateLimit = 0
    let core = TrackerCore(keyring: keyring, settings: settings, machines: try DefaultMachines.rules(), events: events,
                           logger: Logger(label: "bench"))
    let headers: HTTPFields = [.userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15"]
    let tokenTexts = clicks.map { String(TrackingURL.token(in: $0)) }
    let openStart = ContinuousClock.now
    for i in 0..<count { _ = try? TrackingToken.open(tokenTexts[i % tokenTexts.count], with: keyring) }
    let openElapsed = ContinuousClock.now - openStart
    print("token open: \(Double(openElapsed.components.attoseconds / 1_000_000 + openElapsed.components.seconds * 1_000_000_000_000) / 1e6 / Double(count)) µs")
    let line = Array(String(repeating: "x", count: 400).utf8) + [10]
    let writeStart = ContinuousClock.now
    for _ in 0..<count { events.write(lineWithNewline: line) }
    let writeElapsed = ContinuousClock.now - writeStart
    print("event write: \(Double(writeElapsed.components.attoseconds / 1_000_000 + writeElapsed.components.seconds * 1_000_000_000_000) / 1e6 / Double(count)) µs")
    let openTexts = opens.map { Substring(TrackingURL.token(in: $0)) }
    let clickTexts = clicks.map { Substring(TrackingURL.token(in: $0)) }
    for (label, tokens, answer) in [
        ("redirect", clickTexts, core.click), ("open", openTexts, core.open),
    ] as [(String, [Substring], (Substring, HTTPFields, () -> String?) -> (TrackerOutcome, Response))] {
        let start = ContinuousClock.now
        for i in 0..<count {
            _ = answer(tokens[i % tokens.count], headers, { "203.0.113.9" })
        }
        let elapsed = ContinuousClock.now - start
        let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
        print("\(label): \(String(format: "%.2f", micros / Double(count))) µs per request (\(count) requests)")
    }
    exit(0)
}

guard arguments.count == 5, let count = Int(arguments[2]), count > 0 else {
    fail("usage: tracker-bench-tokens KEYFILE COUNT CLICKS_FILE OPENS_FILE | --measure KEYFILE COUNT", 64)
}
let keyring: TrackingKeyring
do { keyring = try TrackingKeyring(contentsOfFile: arguments[1]) } catch { fail("\(error)", 66) }
let (clicks, opens) = makeTokens(keyring, count)
do {
    try (clicks.joined(separator: "\n") + "\n").write(toFile: arguments[3], atomically: true, encoding: .utf8)
    try (opens.joined(separator: "\n") + "\n").write(toFile: arguments[4], atomically: true, encoding: .utf8)
} catch {
    fail("\(error)", 73)
}

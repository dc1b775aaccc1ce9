import Foundation
import Testing
import Tracking
@testable import TrackingMilter
import TrackingRuntime

/// A rewritten body mostly in a spill file reaches the MTA whole, in bounded pieces, and
/// the file is gone when end of message is over.
@Suite("Spilled bodies through the session")
struct SpilledBodySessionTests {
    @Test func theMTAGetsTheWholeBodyInBoundedPiecesAndTheFileGoes() throws {
        let dir = NSTemporaryDirectory() + "spill-session-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = try SessionFixture(
            "tracking:\n  click_tracking_enabled: true\nlimits:\n  spill_threshold_bytes: 1000\n  spill_directory: \(dir)\n")
        let lines = String(repeating: String(repeating: "x", count: 76) + "\r\n", count: 40_000)  // 3.1 MB
        let result = f.driver.sendMessage(
            from: "<a@example.net>", to: ["<rcpt@example.com>"], headers: [("From", "a@example.net"), ("Subject", "big")],
            body: Array(("see http://example.com/\r\n" + lines).utf8),
            macros: [.data: ["i": "QID1"], .envelopeRecipient: ["{mail_addr}": "a@example.net"]])
        #expect(result == .continue)
        let pieces = f.driver.context.calls.compactMap { call -> Int? in
            if case .replaceBody(let piece) = call { return piece.count } else { return nil }
        }
        #expect(pieces.count > 3 && pieces.allSatisfy { $0 <= 1 << 20 }, "\(pieces)")
        let body = String(decoding: try #require(f.driver.context.replacedBody), as: UTF8.self)
        #expect(body.hasPrefix("see http://") && body.contains("/f/") && body.hasSuffix(lines))
        #expect(body.utf8.count == pieces.reduce(0, +))
        #expect("\(f.line?["outcome"] ?? "")" == "rewritten")
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)"))?.hasPrefix(dir + "/") == true
        }
        #expect(fds.isEmpty, "the spill file outlived end of message")
    }

    /// libmilter fails `smfi_replacebody` when the MTA's connection breaks: after the first
    /// piece the MTA may hold a cut body, so the message is tempfailed even with on_error
    /// accept; before any piece the usual on_error reply stands (nothing was sent).
    @Test("a body cut after its first piece is tempfailed, whatever on_error says", arguments: [1, 2])
    func bodyCutTempfails(failAfter: Int) throws {
        let f = try SessionFixture("tracking:\n  click_tracking_enabled: true\nmilter:\n  on_error: accept\n")
        f.driver.context.replaceBodyFailsAfter = failAfter
        let lines = String(repeating: String(repeating: "x", count: 76) + "\r\n", count: 40_000)  // 3.1 MB: several pieces
        let result = f.driver.sendMessage(
            from: "<a@example.net>", to: ["<rcpt@example.com>"], headers: [("From", "a@example.net"), ("Subject", "big")],
            body: Array(("see http://example.com/\r\n" + lines).utf8),
            macros: [.data: ["i": "QID2"], .envelopeRecipient: ["{mail_addr}": "a@example.net"]])
        #expect(result == .tempfail)
        #expect("\(f.line?["outcome"] ?? "")" == "body-cut")
    }
}

import Milter
import MilterTesting
import Testing
import Tracking
@testable import TrackingMilter
import TrackingRuntime

/// `tracking.list_unsubscribe: one-click` through the milter session and the fake MTA.
@Suite("List-Unsubscribe fields added by the session")
struct ListUnsubscribeSessionTests {
    static let oneClick = "tracking:\n  click_tracking_enabled: true\n  tracking_domain: track.example.com\n  list_unsubscribe: one-click\n"

    private func added(_ f: SessionFixture) -> [(name: String, value: String)] {
        f.driver.context.calls.compactMap {
            if case .addHeader(let name, let value) = $0 { return (name, value) }
            return nil
        }
    }

    @Test("a tracked message gets List-Unsubscribe with a sealed https /u/ URL for the recipient, and List-Unsubscribe-Post")
    func addsBoth() throws {
        let f = try SessionFixture(Self.oneClick)
        #expect(f.send(apiHeader: [#"{"campaign_id":"spring","tags":["a"]}"#]) == .continue)
        #expect(f.driver.allViolations.isEmpty)
        let fields = added(f)
        try #require(fields.count == 2)
        #expect(fields[0].name == "List-Unsubscribe")
        #expect(fields[1].name == "List-Unsubscribe-Post" && fields[1].value == "List-Unsubscribe=One-Click")
        // Folded after the colon (the line would pass 78 bytes); the URL itself is never folded.
        let value = fields[0].value
        #expect(value.hasPrefix("\n <https://track.example.com/u/") && value.hasSuffix(">"))
        #expect(value.split(separator: "\n").allSatisfy { $0.utf8.count <= ListUnsubscribeFields.maxLineBytes })
        let url = value.dropFirst(3).dropLast()
        let token = try TrackingToken.open(TrackingURL.token(in: String(url)), with: f.keyring)
        #expect(token.kind == .listUnsubscribe && token.eventType == "list_unsubscribe")
        #expect(token.recipient == "rcpt@example.com" && token.campaignID == "spring" && token.tags == ["a"])
        // The http click scheme does not matter: RFC 8058 needs https.
        #expect(f.driver.context.replacedBody.map { String(decoding: $0, as: UTF8.self).contains("http://track.example.com/f/") } == true)
        // Headers before the body, as MTAs require.
        let firstBody = f.driver.context.calls.firstIndex { if case .replaceBody = $0 { true } else { false } }
        let lastAdd = f.driver.context.calls.lastIndex { if case .addHeader = $0 { true } else { false } }
        #expect(try #require(lastAdd) < (try #require(firstBody)))
        #expect(f.line?["list_unsubscribe"] == "added")
    }

    @Test("off by default: nothing is added and the log line has no list_unsubscribe")
    func offByDefault() throws {
        let f = try SessionFixture("tracking:\n  click_tracking_enabled: true\n")
        f.send()
        #expect(f.driver.context.replacedBody != nil)
        #expect(added(f).isEmpty)
        #expect(f.line?["list_unsubscribe"] == nil)
    }

    @Test("options.transactional: true suppresses both fields; false does not")
    func transactional() throws {
        let f = try SessionFixture(Self.oneClick)
        f.send(apiHeader: [#"{"options":{"transactional":true}}"#])
        #expect(f.driver.context.replacedBody != nil)
        #expect(added(f).isEmpty)
        #expect(f.line?["list_unsubscribe"] == "transactional")
        let g = try SessionFixture(Self.oneClick)
        g.send(apiHeader: [#"{"options":{"transactional":false}}"#])
        #expect(added(g).map(\.name) == ["List-Unsubscribe", "List-Unsubscribe-Post"])
    }

    @Test("a non-boolean options.transactional is a header error like the other options")
    func transactionalNotBoolean() throws {
        let f = try SessionFixture(Self.oneClick)
        let result = f.send(apiHeader: [#"{"options":{"transactional":"yes"}}"#])
        #expect(result == .reject)
        #expect(f.driver.context.lastReply?.lines.first?.contains("'options.transactional' must be of type 'boolean'") == true)
        #expect(added(f).isEmpty)
    }

    @Test("the sender's own List-Unsubscribe is kept untouched and nothing is added")
    func existingKept() throws {
        let f = try SessionFixture(Self.oneClick)
        f.send(extraHeaders: [("List-Unsubscribe", "<mailto:unsub@shop.example>, <https://shop.example/u/1>")])
        #expect(f.driver.context.replacedBody != nil)
        #expect(added(f).isEmpty)
        #expect(!f.driver.context.calls.contains { if case .changeHeader(let name, _, _) = $0 { name.lowercased().hasPrefix("list-") } else { false } })
        #expect(f.line?["list_unsubscribe"] == "existing")
    }

    @Test("our own https /u/ URL without List-Unsubscribe-Post gets only the Post field")
    func oursWithoutPost() throws {
        let f = try SessionFixture(Self.oneClick)
        f.send(extraHeaders: [("List-Unsubscribe", "<mailto:u@shop.example>,\n <https://TRACK.example.com/u/AQcgsMd7QsF1Cz32>")])
        #expect(added(f).map(\.name) == ["List-Unsubscribe-Post"])
        #expect(f.line?["list_unsubscribe"] == "post_added")
        // With the Post field already there: nothing.
        let g = try SessionFixture(Self.oneClick)
        g.send(extraHeaders: [("List-Unsubscribe", "<https://track.example.com/u/AQcg>"),
                              ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")])
        #expect(added(g).isEmpty)
    }

    @Test("in shared mode one List-Unsubscribe serves the message and its token names no recipient")
    func sharedMode() throws {
        let f = try SessionFixture(Self.oneClick + "milter:\n  recipient_mode: shared\n")
        f.send(recipients: ["<a@example.com>", "<b@example.com>"])
        let fields = added(f)
        try #require(fields.count == 2)
        let url = fields[0].value.split(separator: "<").last?.dropLast() ?? ""
        let token = try TrackingToken.open(TrackingURL.token(in: String(url)), with: f.keyring)
        #expect(token.recipient == nil && token.kind == .listUnsubscribe)
    }

    @Test("an untracked message (nothing to rewrite) gets nothing")
    func untracked() throws {
        let f = try SessionFixture("tracking:\n  list_unsubscribe: one-click\n")
        f.send()
        #expect(f.driver.context.replacedBody == nil)
        #expect(added(f).isEmpty)
    }
}

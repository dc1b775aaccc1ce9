import CMilter
import Milter
import MilterTesting
import Synchronization
import Testing
import Tracking
@testable import TrackingMilter
import TrackingRuntime

/// The sessions a dispatcher made, so a test can look inside the current one.
private final class SessionBox: @unchecked Sendable {
    var sessions: [TrackingSession] = []
}

@Suite("SIZE= of MAIL FROM as the body size hint")
struct SizeHintTests {
    private struct Fixture {
        let driver: MilterTestDriver
        let box = SessionBox()

        init(_ yaml: String = "tracking:\n  click_tracking_enabled: true\n") throws {
            let configuration = try ConfigLoader.parse(yaml, file: "test.yaml")
            let keyring = try TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "test.keys")
            let service = TrackingService(configuration: configuration, keyring: keyring, logger: LogCapture().logger)
            let setup = MilterSetup(service: service)
            let box = box
            let dispatcher = MilterDispatcher(configuration: setup.configuration) { connection in
                let session = setup.makeSession(connection)
                box.sessions.append(session)
                return session
            }
            driver = MilterTestDriver(dispatcher: dispatcher)
            driver.negotiate()
            driver.connect()
        }

        /// MAIL with `parameters`, one recipient, a header and a body chunk; returns the
        /// hint the message's processor got.
        func hint(_ parameters: [String]) -> Int? {
            driver.mail(from: "<a@example.net>", parameters: parameters)
            driver.rcpt(to: "<r@example.com>", macros: ["{mail_addr}": "a@example.net"])
            driver.data(macros: ["i": "Q"])
            driver.header("Subject", "hi")
            driver.body(Array("see http://example.com/\r\n".utf8))
            let hint = box.sessions.last?.processorSizeHint
            driver.abort()
            return hint
        }
    }

    @Test("MAIL is negotiated, without a reply")
    func negotiated() throws {
        let f = try Fixture()
        let bits = f.driver.negotiatedProtocol
        #expect(bits & UInt(SMFIP_NOMAIL) == 0)
        #expect(bits & UInt(SMFIP_NR_MAIL) != 0)
    }

    @Test("SIZE= reaches the message processor, capped at max_message_bytes; garbage is ignored", arguments: [
        (["SIZE=123456"], 123456), (["BODY=8BITMIME", "size=2048"], 2048), (["SIZE=0"], 0),
        (["SIZE=99999999999999999999"], nil), (["SIZE=99999999999"], 50 << 20), (["SIZE=-1"], nil),
        (["SIZE=12a"], nil), (["SIZE="], nil), (["SIZE"], nil), ([], nil), (["SIZE= 12"], nil),
        (["SIZE=100", "SIZE=200"], 100),
    ] as [([String], Int?)])
    func hint(_ parameters: [String], _ expected: Int?) throws {
        let f = try Fixture("tracking:\n  click_tracking_enabled: true\nlimits:\n  max_message_bytes: \(50 << 20)\n")
        #expect(f.hint(parameters) == expected)
        // The next message on the connection starts without it.
        #expect(f.hint([]) == nil)
    }

    @Test("a message sent with SIZE= is rewritten as without it")
    func rewrittenTheSame() throws {
        var bodies: [[UInt8]] = []
        for parameters in [[], ["SIZE=400"], ["SIZE=1"], ["SIZE=1000000000"]] {
            let f = try Fixture()
            f.driver.sendMessage(from: "<a@example.net>", to: ["<r@example.com>"], headers: [("Subject", "hi")],
                                 body: Array("see http://example.com/\r\n".utf8),
                                 macros: [.envelopeRecipient: ["{mail_addr}": "a@example.net"]], mailParameters: parameters)
            let body = try #require(f.driver.context.replacedBody)
            bodies.append(Array(String(decoding: body, as: UTF8.self).split(separator: "/").dropLast().joined(separator: "/").utf8))
        }
        #expect(Set(bodies).count == 1)
    }
}

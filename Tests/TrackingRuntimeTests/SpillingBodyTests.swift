import Foundation
import Logging
import Testing
import Tracking
@testable import TrackingRuntime

/// The milter's body sink: the first bytes in memory, the rest in an unnamed file that is
/// gone with the sink, on every path.
struct SpillingBodyTests {
    /// A fresh directory for one test (removed afterwards).
    final class Directory {
        let path: String
        init() throws {
            path = NSTemporaryDirectory() + "spill-test-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        /// This process's descriptors open on files in the directory (named or deleted).
        var openFiles: Int {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return fds.filter {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)"))?.hasPrefix(path + "/") == true
            }.count
        }

        var names: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }

        func settings(threshold: Int) -> BodySpillSettings {
            var s = BodySpillSettings()
            s.thresholdBytes = threshold
            s.directory = Located(path)
            return s
        }
    }

    static func data(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) } }

    static func append(_ data: [UInt8], to sink: SpillingBody, pieces: [Int]) throws {
        var offset = 0, index = 0
        while offset < data.count {
            let end = min(data.count, offset + pieces[index % pieces.count])
            try data[offset..<end].withUnsafeBytes { try sink.append($0) }
            offset = end
            index += 1
        }
    }

    @Test func pastTheThresholdBytesGoToAnUnnamedFileAndComeBackTheSame() throws {
        let dir = try Directory()
        let data = Self.data(3 << 20 + 12345)
        for (threshold, pieces) in [(0, [65535]), (1000, [1, 300, 65535]), (2 << 20, [262_144, 5]), (8 << 20, [65535])] {
            let sink = SpillingBody(settings: dir.settings(threshold: threshold))
            try Self.append(data, to: sink, pieces: pieces)
            #expect(sink.count == data.count)
            #expect(sink.spilled == (threshold < data.count), "threshold \(threshold)")
            #expect(dir.openFiles == (sink.spilled ? 1 : 0))
            #expect(dir.names.isEmpty, "the spill file never has a name")
            var sizes: [Int] = []
            var back: [UInt8] = []
            try sink.forEachChunk {
                sizes.append($0.count)
                back.append(contentsOf: $0)
            }
            #expect(back == data, "threshold \(threshold), pieces \(pieces)")
            #expect(sizes.allSatisfy { $0 <= SpillingBody.readBytes }, "read back in bounded pieces")
            // Read twice (a retried end of message): the same bytes.
            #expect(try sink.joined() == data)
            sink.removeAll()
            #expect(sink.count == 0 && dir.openFiles == 0, "emptied: the file is closed at once")
        }
    }

    @Test func theFileGoesWithTheSink() throws {
        let dir = try Directory()
        do {
            let sink = SpillingBody(settings: dir.settings(threshold: 10))
            try Self.append(Self.data(1_000_000), to: sink, pieces: [4096])
            #expect(dir.openFiles == 1)
        }
        #expect(dir.openFiles == 0)
        #expect(dir.names.isEmpty)
    }

    /// Bytes past the threshold are written a segment at a time: the first write fails.
    @Test func aDirectoryThatIsGoneFailsTheFirstSpillWrite() throws {
        let dir = try Directory()
        let sink = SpillingBody(settings: dir.settings(threshold: 100))
        try FileManager.default.removeItem(atPath: dir.path)
        try Self.data(100).withUnsafeBytes { try sink.append($0) }  // still in memory
        let error = #expect(throws: SpillError.self) {
            try Self.data(SpillingBody.stagingBytes).withUnsafeBytes { try sink.append($0) }
        }
        if let error {
            #expect(error.step == .create)
            #expect(error.description.contains("cannot make a spill file in \(dir.path)"), "\(error)")
            #expect(error.description.contains("limits.spill_directory"), "says what to check: \(error)")
        }
    }

    // MARK: - through the message processor

    static let keyring = try! TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(), file: "k")

    /// A tracked message with a 600 KB attachment, through `MessageProcessor` with `yaml`'s
    /// limits, fed in milter-sized pieces.
    static func process(_ extraYAML: String) throws -> MessageOutcome {
        let yaml = "tracking:\n  click_tracking_enabled: true\n  tracking_domain: t.example\n" + extraYAML
        let configuration = try ConfigLoader.parse(yaml, file: "c.yaml")
        let service = TrackingService(configuration: configuration, keyring: keyring, logger: Logger(label: "t"))
        var envelope = MessageEnvelope()
        envelope.recipients = ["r@example.com"]
        let processor = MessageProcessor(service: service, envelope: envelope)
        processor.header(name: "Content-Type", value: Array("multipart/mixed; boundary=\"b\"".utf8))
        Array(body.utf8).withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let end = min(all.count, offset + 65535)
                processor.body(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                offset = end
            }
        }
        return processor.finish()
    }

    static let attachment = String(repeating: String(repeating: "QUJD", count: 19) + "\r\n", count: 8000)
    static let body = "--b\r\nContent-Type: text/html\r\n\r\n<a href=\"https://shop.example/\">x</a>\r\n--b\r\n"
        + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" + attachment + "--b--\r\n"

    /// The body with its one tracked URL taken out (tokens differ per message).
    static func withoutToken(_ bytes: [UInt8]) throws -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let start = try #require(text.range(of: "http://t.example/f/"))
        let end = try #require(text[start.upperBound...].firstIndex(of: "\""))
        return String(text[..<start.lowerBound]) + "URL" + String(text[end...])
    }

    @Test func aSpilledMessageIsDeliveredByteForByteAsAnUnspilledOne() throws {
        let dir = try Directory()
        let inMemory = try Self.process("limits:\n  spill_threshold_bytes: 100000000\n  spill_directory: \(dir.path)\n")
        let spilled = try Self.process("limits:\n  spill_threshold_bytes: 1000\n  spill_directory: \(dir.path)\n")
        guard case .deliver(let a) = inMemory.action, let memoryBody = a.body,
              case .deliver(let b) = spilled.action, let spilledBody = b.body
        else {
            Issue.record("expected two rewritten messages")
            return
        }
        #expect(inMemory.kind == .rewritten && spilled.kind == .rewritten)
        #expect((spilledBody as? SpillingBody)?.spilled == true && (memoryBody as? SpillingBody)?.spilled == false)
        #expect(dir.openFiles == 1)
        let expected = try Self.withoutToken(try memoryBody.joined())
        #expect(expected.contains(Self.attachment))
        #expect(try Self.withoutToken(try spilledBody.joined()) == expected)
    }

    @Test(arguments: ["accept", "tempfail"])
    func aSpillThatFailsGetsTheOnErrorReplyWithTheReason(onError: String) throws {
        let missing = NSTemporaryDirectory() + "spill-test-missing-\(UUID().uuidString)"
        let outcome = try Self.process(
            "milter:\n  on_error: \(onError)\nlimits:\n  spill_threshold_bytes: 1000\n  spill_directory: \(missing)\n")
        guard case .failed(let reply) = outcome.action else {
            Issue.record("expected the on_error reply, got \(outcome.action)")
            return
        }
        #expect(reply.rawValue == onError)
        #expect(outcome.kind == .spillFailed)
        let reason = "\(outcome.logMetadata["reason"] ?? "")"
        #expect(reason.contains("cannot make a spill file in \(missing)"), "\(reason)")
        #expect("\(outcome.logMetadata["outcome"] ?? "")" == "spill-failed")
        #expect("\(outcome.logMetadata["on_error"] ?? "")" == onError)
    }

    // MARK: - configuration

    @Test func theKeysAreReadAndARelativeDirectoryIsTheConfigFiles() throws {
        let c = try ConfigLoader.parse("limits:\n  spill_threshold_bytes: 123\n  spill_directory: spill\n", file: "/etc/tm/c.yaml")
        #expect(c.spill.thresholdBytes == 123)
        #expect(c.spill.directory.value == "/etc/tm/spill")
        #expect(c.spill.directory.location?.line == 3)
        let defaults = try ConfigLoader.parse("", file: "c.yaml")
        #expect(defaults.spill.thresholdBytes == 2 << 20 && defaults.spill.directory.value == "/var/tmp")
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("limits:\n  spill_threshold_bytes: -1\n", file: "c.yaml") }
    }

    @Test func aDirectoryThatCannotBeUsedStopsStartUpAtItsLine() throws {
        let dir = try Directory()
        let good = try ConfigLoader.parse("limits:\n  spill_directory: \(dir.path)\n", file: "c.yaml")
        try ServiceStartup.checkSpillDirectory(good)
        #expect(dir.openFiles == 0 && dir.names.isEmpty, "the check leaves nothing behind")
        let file = try #require(FileManager.default.createFile(atPath: dir.path + "/plain", contents: Data()) ? dir.path + "/plain" : nil)
        for path in [dir.path + "/missing", file] {
            let bad = try ConfigLoader.parse("log:\n  level: info\nlimits:\n  spill_directory: \(path)\n", file: "c.yaml")
            do {
                try ServiceStartup.checkSpillDirectory(bad)
                Issue.record("\(path) was accepted")
            } catch {
                #expect(error.exitCode == StartupError.configExitCode)
                #expect(error.description.contains("c.yaml:4:"), "\(error)")
                #expect(error.description.contains("limits.spill_directory"), "\(error)")
            }
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// The real `tracking-milter tracker` process: start-up line, HTTP on 127.0.0.1, SIGHUP, SIGTERM.
@Suite("tracking-milter tracker process", .serialized)
struct ProcessTests {
    static var binary: URL? {
        let beside = Bundle.main.bundleURL.appendingPathComponent("tracking-milter")
        let inTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/tracking-milter")
        return [beside, inTree].first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// A port that was free a moment ago on 127.0.0.1.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        try #require(bound == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Polls `file` until it contains `text` (at most `seconds`).
    static func wait(for text: String, in file: String, seconds: Double = 30) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let content = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            if content.contains(text) { return content }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(file) never showed \(text): \((try? String(contentsOfFile: file, encoding: .utf8)) ?? "")")
        return ""
    }

    @Test("starts with a start-up line, serves, reloads on SIGHUP and stops cleanly on SIGTERM")
    func lifecycle() async throws {
        let binary = try #require(Self.binary, "build tracking-milter first (swift build)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracker-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyText = TrackingKeyring.generateKeyFile()
        try keyText.write(to: dir.appendingPathComponent("keys"), atomically: true, encoding: .utf8)
        chmod(dir.appendingPathComponent("keys").path, 0o600)
        let port = try Self.freePort()
        try """
            log:
              format: json
            keys:
              file: keys
            tracker:
              listen: "127.0.0.1:\(port)"
              events_file: events.jsonl
            """.write(to: dir.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        let stderrPath = dir.appendingPathComponent("stderr.log").path
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["tracker", "--config", dir.appendingPathComponent("config.yaml").path]
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let startup = try await Self.wait(for: "\"msg\":\"listening\"", in: stderrPath)
        #expect(startup.contains("\"msg\":\"starting\""))
        #expect(startup.contains("\"listen\":\"127.0.0.1:\(port)\""))
        #expect(startup.contains("\"machines\":\"built-in\""))

        let keyring = try TrackingKeyring(parsing: keyText, file: "keys")
        let sealer = TokenSealer(keyring: keyring)
        let click = try sealer.seal(TrackingToken(kind: .click, targetURL: "https://shop.example/", messageID: sealer.messageID,
                                                  recipient: "r@example.org", expiry: 4_000_000_000))
        let client = TestClient(host: "127.0.0.1", port: port)
        client.connect()
        let redirect = try await client.execute(TestClient.Request("/f/a/\(click)", method: .get, authority: "127.0.0.1"))
        let health = try await client.execute(TestClient.Request("/healthz", method: .get, authority: "127.0.0.1"))
        try await client.shutdown()
        #expect(redirect.status == .found && redirect.headers[.location] == "https://shop.example/")
        #expect(health.status == .ok)

        let eventsPath = dir.appendingPathComponent("events.jsonl").path
        let events = try await Self.wait(for: "\"type\":\"click\"", in: eventsPath)
        #expect(events.split(separator: "\n").count == 1)
        #expect(events.contains("\"rcpt_to\":\"r@example.org\""))

        kill(process.processIdentifier, SIGHUP)
        _ = try await Self.wait(for: "\"msg\":\"reloaded\"", in: stderrPath)
        #expect(process.isRunning)

        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let log = try String(contentsOfFile: stderrPath, encoding: .utf8)
        #expect(log.contains("\"msg\":\"stopped\""))
    }

    @Test("a broken tracker section stops start-up with file and line, exit code 78")
    func configError() async throws {
        let binary = try #require(Self.binary)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracker-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.yaml")
        try "tracker:\n  listen: nowhere\n".write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["tracker", "--config", config.path]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 78)
        #expect(output.contains("\(config.path):2:") && output.contains("tracker.listen"))
    }
}

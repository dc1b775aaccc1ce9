import Foundation
import Testing
import Tracking
import TrackingRuntime

@Suite("Key files on disk")
struct KeyFileReadingTests {
    @Test("a missing file says so, with the path and how to make one")
    func missingFile() {
        let path = "/nonexistent-\(UInt64.random(in: 0 ... .max))/keys.txt"
        #expect(throws: TrackingKeyFileError(file: path, line: nil, kind: .unreadable("no such file"))) {
            try TrackingKeyring(contentsOfFile: path)
        }
        var description = ""
        do { _ = try TrackingKeyring(contentsOfFile: path) } catch { description = error.description }
        #expect(description.hasPrefix("\(path): cannot read the tracking key file (no such file)"))
        #expect(description.contains("tracking-milter keygen"))
    }

    @Test("a key file on disk loads, with the path in errors")
    func fileOnDisk() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tracking-keys-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try TrackingKeyring.generateKeyFile(keyID: 4).write(to: url, atomically: true, encoding: .utf8)
        #expect(try TrackingKeyring(contentsOfFile: url.path).keyIDs == [4])
        try "active 4\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: TrackingKeyFileError(file: url.path, line: nil, kind: .noKeys)) {
            try TrackingKeyring(contentsOfFile: url.path)
        }
    }
}

import Foundation
import Testing
import Tracking

@Suite("Keyrings: rotation, key generation, and keeping secrets out of output")
struct TrackingKeyringTests {
    private func openToken(sealedBy keyring: TrackingKeyring) throws -> String {
        let sealer = TokenSealer(keyring: keyring)
        return try sealer.seal(TokenTestSupport.fullToken(messageID: sealer.messageID))
    }

    @Test("after rotation old tokens still open and new tokens use the new key")
    func rotation() throws {
        let old = TokenTestSupport.keyring([TokenTestSupport.key(1, fill: 1)], active: 1)
        let rotated = TokenTestSupport.keyring([TokenTestSupport.key(1, fill: 1), TokenTestSupport.key(2, fill: 2)], active: 2)
        let oldText = try openToken(sealedBy: old)
        let newText = try openToken(sealedBy: rotated)

        #expect(try TrackingToken.open(oldText, with: rotated).recipient == "jane.doe@example.org")
        #expect(TokenTestSupport.decode(newText)![1] == 2)
        #expect(try TrackingToken.open(newText, with: rotated).recipient == "jane.doe@example.org")
        // A tracker still on the old key file cannot read the new key's tokens.
        #expect(throws: TokenError.unknownKey(2)) { try TrackingToken.open(newText, with: old) }
    }

    @Test("a generated key file parses to one active key, with a fresh secret each time")
    func generation() throws {
        let text = TrackingKeyring.generateKeyFile(keyID: 5, now: Date(timeIntervalSince1970: 1_750_000_000))
        #expect(text.contains("\nactive 5\n# key 5 added 2025-06-15\n5 "))
        let keyring = try TrackingKeyring(parsing: text, file: "new")
        #expect(keyring.keyIDs == [5])
        #expect(keyring.activeKey.id == 5)
        let other = try TrackingKeyring(parsing: TrackingKeyring.generateKeyFile(keyID: 5), file: "new")
        #expect(throws: TokenError.tampered(keyID: 5)) { try TrackingToken.open(try openToken(sealedBy: keyring), with: other) }
    }

    @Test("rotating a key file adds a key, makes it active, and keeps the rest")
    func rotateKeyFile() throws {
        let original = "# ours\n" + TrackingKeyring.generateKeyFile(keyID: 1)
        let oldToken = try openToken(sealedBy: try TrackingKeyring(parsing: original, file: "k"))
        let (text, newID) = try TrackingKeyring.rotateKeyFile(original, file: "k")
        #expect(newID == 2)
        #expect(text.hasPrefix("# ours\n"))
        #expect(text.contains("\nactive 2\n"))
        #expect(!text.contains("active 1"))
        #expect(text.components(separatedBy: "\n").filter { $0.hasPrefix("1 ") }
            == original.components(separatedBy: "\n").filter { $0.hasPrefix("1 ") })

        let rotated = try TrackingKeyring(parsing: text, file: "k")
        #expect(rotated.keyIDs == [1, 2])
        #expect(rotated.activeKey.id == 2)
        #expect(try TrackingToken.open(oldToken, with: rotated).campaignID == "spring-2025")
    }

    @Test("rotation keeps CRLF line ends and a file without a final line break")
    func rotateCRLF() throws {
        let secret = TokenTestSupport.encode([UInt8](repeating: 3, count: 32))
        let (text, newID) = try TrackingKeyring.rotateKeyFile("3 \(secret)\r\nactive 3", file: "k")
        #expect(newID == 4)
        #expect(text.hasPrefix("3 \(secret)\r\nactive 4\r\n# key 4 added "))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(try TrackingKeyring(parsing: text, file: "k").keyIDs == [3, 4])
    }

    @Test("rotation after key 255 takes the lowest free id, and fails when none is left")
    func rotationIDs() throws {
        func file(_ ids: some Sequence<Int>) -> String {
            ids.map { "\($0) \(TokenTestSupport.encode([UInt8](repeating: 1, count: 32)))\n" }.joined() + "active 255\n"
        }
        #expect(try TrackingKeyring.rotateKeyFile(file([0, 1, 255]), file: "k").newKeyID == 2)
        #expect(throws: TrackingKeyFileError(file: "k", line: nil, kind: .noFreeKeyID)) {
            try TrackingKeyring.rotateKeyFile(file(0...255), file: "k")
        }
    }

    @Test("rotating a broken file reports the file's error")
    func rotateBroken() {
        #expect(throws: TrackingKeyFileError(file: "k", line: nil, kind: .noKeys)) {
            try TrackingKeyring.rotateKeyFile("active 1\n", file: "k")
        }
    }

    @Test("keyrings refuse no keys, a repeated id, or an absent active id")
    func keyringInit() {
        let one = TokenTestSupport.key(1)
        #expect(TrackingKeyring(keys: [], activeID: 1) == nil)
        #expect(TrackingKeyring(keys: [one, TokenTestSupport.key(1, fill: 2)], activeID: 1) == nil)
        #expect(TrackingKeyring(keys: [one], activeID: 2) == nil)
        #expect(TrackingKeyring(keys: [one], activeID: 1)?.activeKey.id == 1)
    }

    @Test("keys need exactly 32 bytes", arguments: [0, 16, 31, 33, 64])
    func keyLength(count: Int) {
        #expect(TrackingKey(id: 1, secret: [UInt8](repeating: 1, count: count)) == nil)
    }

    @Test("descriptions, debug descriptions and dumps show ids, never secrets")
    func noSecretsInOutput() {
        let key = TrackingKey(id: 9, secret: [UInt8](repeating: 0xA5, count: 32))!
        let keyring = TokenTestSupport.keyring([key, TokenTestSupport.key(3)], active: 9)
        var dumped = ""
        dump(keyring, to: &dumped)
        let outputs = ["\(key)", String(reflecting: key), "\(keyring)", String(reflecting: keyring), dumped]
        for output in outputs {
            #expect(!output.contains("165"), "\(output)")  // 0xA5 in decimal
            #expect(!output.contains(TokenTestSupport.encode([UInt8](repeating: 0xA5, count: 3))), "\(output)")
        }
        #expect("\(key)" == "key 9")
        #expect("\(keyring)" == "keys 3, 9 (active 9)")
    }
}

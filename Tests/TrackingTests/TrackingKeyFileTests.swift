import Foundation
import Testing
import Tracking

@Suite("Key files: parsing, and errors that name the line")
struct TrackingKeyFileTests {
    /// URL-safe base64 of 32 bytes of `fill`.
    private func secret(_ fill: UInt8, count: Int = 32) -> String {
        TokenTestSupport.encode([UInt8](repeating: fill, count: count))
    }

    private func error(_ text: String) -> TrackingKeyFileError? {
        do {
            _ = try TrackingKeyring(parsing: text, file: "keys.txt")
            return nil
        } catch {
            return error
        }
    }

    @Test("comments, blank lines, tabs, CRLF and several keys")
    func validFile() throws {
        let text = "# tracking keys\r\n\r\n1 \(secret(1))   # old\r\n\t2\t\(secret(2))\r\nactive 2 # new\r\n"
        let keyring = try TrackingKeyring(parsing: text, file: "keys.txt")
        #expect(keyring.keyIDs == [1, 2])
        #expect(keyring.activeKey.id == 2)
    }

    @Test("standard base64 with padding is accepted too, so `openssl rand -base64 32` works")
    func standardBase64() throws {
        let standard = Data([UInt8](repeating: 0xFB, count: 32)).base64EncodedString()
        #expect(standard.contains("+") || standard.contains("/"))
        #expect(standard.hasSuffix("="))
        let keyring = try TrackingKeyring(parsing: "active 0\n0 \(standard)\n", file: "k")
        let sameKeyring = TokenTestSupport.keyring([TrackingKey(id: 0, secret: [UInt8](repeating: 0xFB, count: 32))!], active: 0)
        let sealer = TokenSealer(keyring: keyring)
        let text = try sealer.seal(TrackingToken(kind: .open, messageID: sealer.messageID, expiry: 1))
        #expect(try TrackingToken.open(text, with: sameKeyring).kind == .open)
    }

    @Test("each mistake is reported on its line", arguments: [
        ("active 1\n1 \(String(repeating: "A", count: 22))\n", 2, TrackingKeyFileError.Kind.wrongSecretLength(keyID: 1, bytes: 16)),
        ("active 1\n\n1 \(TokenTestSupport.encode([UInt8](repeating: 1, count: 33)))\n", 3, .wrongSecretLength(keyID: 1, bytes: 33)),
        ("active 1\n1 not*base64\n", 2, .invalidSecret(keyID: 1)),
        ("active 1\n1 \(TokenTestSupport.encode([UInt8](repeating: 1, count: 32)))\n# again\n1 \(TokenTestSupport.encode([UInt8](repeating: 2, count: 32)))\n", 4, .duplicateKeyID(1, firstLine: 2)),
        ("1 \(TokenTestSupport.encode([UInt8](repeating: 1, count: 32)))\nactive 1\nactive 1\n", 3, .duplicateActive(firstLine: 2)),
        ("# keys\n1 \(TokenTestSupport.encode([UInt8](repeating: 1, count: 32)))\nactive 2\n", 3, .activeKeyNotListed(2)),
        ("active 1\n1 \(TokenTestSupport.encode([UInt8](repeating: 1, count: 32))) extra\n", 2, .unrecognizedLine),
        ("active 1\nkey\n", 2, .unrecognizedLine),
        ("active\n", 1, .unrecognizedLine),
        ("active one\n", 1, .invalidKeyID),
        ("256 \(TokenTestSupport.encode([UInt8](repeating: 1, count: 32)))\n", 1, .invalidKeyID),
        ("+1 \(TokenTestSupport.encode([UInt8](repeating: 1, count: 32)))\n", 1, .invalidKeyID),
        ("-1 \(TokenTestSupport.encode([UInt8](repeating: 1, count: 32)))\n", 1, .invalidKeyID),
    ])
    func lineErrors(text: String, line: Int, kind: TrackingKeyFileError.Kind) {
        let error = error(text)
        #expect(error == TrackingKeyFileError(file: "keys.txt", line: line, kind: kind))
        #expect(error?.description.hasPrefix("keys.txt:\(line): ") == true)
    }

    @Test("problems of the whole file have no line", arguments: [
        ("", TrackingKeyFileError.Kind.noKeys),
        ("# nothing yet\nactive 1\n", .noKeys),
        ("1 \(TokenTestSupport.encode([UInt8](repeating: 1, count: 32)))\n", .noActiveLine),
    ])
    func fileErrors(text: String, kind: TrackingKeyFileError.Kind) {
        let error = error(text)
        #expect(error == TrackingKeyFileError(file: "keys.txt", line: nil, kind: kind))
        #expect(error?.description.hasPrefix("keys.txt: ") == true)
    }

    @Test("messages say what to do")
    func messages() {
        let short = error("active 1\n1 \(secret(1, count: 16))\n")!.description
        #expect(short == "keys.txt:2: the secret of key 1 has 16 bytes, but keys need exactly 32 random bytes; make one with `tracking-milter keygen`")
        #expect(error("1 \(secret(1))\nactive 3\n")!.description
            == "keys.txt:2: the active key 3 is not defined in the file; add key 3 or make a listed key active")
    }

    @Test("errors never quote a secret from the file")
    func noSecretsInErrors() {
        let secretText = secret(0xA5, count: 31)
        for text in ["active 1\n1 \(secretText)\n", "\(secretText) 1\nactive 1\n", "active 1\n1 \(secretText) x\n"] {
            #expect(error(text)?.description.contains(secretText) == false)
        }
    }
}

import Testing
import Tracking

@Suite("Altered, cut or foreign tokens never open")
struct TrackingTokenTamperTests {
    private let keyring = TokenTestSupport.keyring  // only key 7

    private func sealed() throws -> [UInt8] {
        let (text, _) = try TokenTestSupport.seal(TokenTestSupport.fullToken)
        return TokenTestSupport.decode(text)!
    }

    private func openError(_ bytes: [UInt8], with keyring: TrackingKeyring? = nil) -> TokenError? {
        openError(TokenTestSupport.encode(bytes), with: keyring)
    }

    private func openError(_ text: String, with keyring: TrackingKeyring? = nil) -> TokenError? {
        do {
            _ = try TrackingToken.open(text, with: keyring ?? self.keyring)
            return nil
        } catch {
            return error
        }
    }

    @Test("changing any one byte fails: version, key id, nonce, ciphertext or tag", arguments: [UInt8(0x01), 0x80, 0xFF])
    func everyByteFlipped(mask: UInt8) throws {
        let original = try sealed()
        #expect(openError(original) == nil)
        for position in original.indices {
            var altered = original
            altered[position] ^= mask
            let expected: TokenError = switch position {
            case 0: .malformed(.unsupportedVersion(2 ^ mask))  // sealed as version 2
            case 1: .unknownKey(7 ^ mask)
            default: .tampered(keyID: 7)
            }
            #expect(openError(altered) == expected, "byte \(position)")
        }
    }

    @Test("cutting the bytes at every length fails")
    func everyTruncation() throws {
        let original = try sealed()
        for length in 0..<original.count {
            let expected: TokenError = length < 30 ? .malformed(.truncated) : .tampered(keyID: 7)
            #expect(openError(Array(original.prefix(length))) == expected, "length \(length)")
        }
    }

    @Test("cutting the text at every length fails")
    func everyTextTruncation() throws {
        let text = TokenTestSupport.encode(try sealed())
        for length in 0..<text.count {
            #expect(openError(String(text.prefix(length))) != nil, "length \(length)")
        }
    }

    @Test("an extra byte fails")
    func appendedByte() throws {
        #expect(openError(try sealed() + [0]) == .tampered(keyID: 7))
    }

    @Test("characters outside URL-safe base64 are malformed", arguments: ["+", "/", "=", " ", "%", ".", "\u{E9}", "\n"])
    func foreignCharacters(character: String) throws {
        let text = TokenTestSupport.encode(try sealed())
        #expect(openError(text + character) == .malformed(.notBase64))
        #expect(openError(character + text) == .malformed(.notBase64))
    }

    @Test("a last character with nonzero spare bits is malformed, so no token has two spellings")
    func nonCanonicalEnding() throws {
        // 31 bytes: the last character carries 2 bits of data and 4 spare bits.
        var bytes = try sealed()
        bytes = Array(bytes.prefix(31))
        let text = TokenTestSupport.encode(bytes)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = alphabet.firstIndex(of: text.last!)!
        let altered = String(text.dropLast()) + String(alphabet[last | 1])
        #expect(TokenTestSupport.decode(altered) == bytes)  // lenient decoders read the same bytes
        #expect(openError(altered) == .malformed(.notBase64))
    }

    @Test("another version is malformed, with the version named")
    func otherVersion() throws {
        var bytes = try sealed()
        bytes[0] = 3
        let error = openError(bytes)
        #expect(error == .malformed(.unsupportedVersion(3)))
        #expect(error?.description.contains("version 3") == true)
    }

    @Test("another secret under the same key id fails as tampered")
    func otherSecretSameID() throws {
        let other = TokenTestSupport.keyring([TokenTestSupport.key(7, fill: 0x43)], active: 7)
        let error = openError(try sealed(), with: other)
        #expect(error == .tampered(keyID: 7))
        #expect(error?.description.contains("key 7") == true)
    }

    @Test("an unknown key id fails as unknownKey, and says so")
    func unknownKey() throws {
        let other = TokenTestSupport.keyring([TokenTestSupport.key(3)], active: 3)
        let error = openError(try sealed(), with: other)
        #expect(error == .unknownKey(7))
        #expect(error?.description.contains("sealed with key 7, which is not in the key file") == true)
    }

    @Test("the key id is authenticated: relabelling a token for a key with the same secret fails")
    func keyIDIsAuthenticated() throws {
        let twins = TokenTestSupport.keyring([TokenTestSupport.key(7), TokenTestSupport.key(8)], active: 7)
        var bytes = try sealed()
        #expect(openError(bytes, with: twins) == nil)
        bytes[1] = 8
        #expect(openError(bytes, with: twins) == .tampered(keyID: 8))
    }

    @Test("swapping the nonces of two tokens of one message fails")
    func swappedCounters() throws {
        let sealer = TokenSealer(keyring: keyring)
        let token = TokenTestSupport.fullToken(messageID: sealer.messageID)
        var first = TokenTestSupport.decode(try sealer.seal(token))!
        let second = TokenTestSupport.decode(try sealer.seal(token))!
        first[12...13] = second[12...13]
        #expect(openError(first) == .tampered(keyID: 7))
    }
}

import Crypto
import Foundation
import Testing
@testable import Tracking

@Suite("Sealing through libcrypto gives exactly swift-crypto's ChaCha20-Poly1305")
struct ChaChaPolyContextTests {
    @Test("same key, nonce, associated data and plaintext: same ciphertext and tag, one context for many seals")
    func sameAsSwiftCrypto() throws {
        var random = SplitMix64(seed: 8439)
        let secret = (0..<32).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let key = try #require(TrackingKey(id: 3, secret: secret))
        let context = try #require(ChaChaPolyContext(key: key))
        for length in [0, 1, 15, 16, 17, 63, 64, 65, 200, 4096] {
            let plaintext = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let nonce = (0..<12).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let associatedData: [UInt8] = [2, UInt8(length & 0xFF)]
            var ours: [UInt8] = [0xAA]  // appends after what is there
            #expect(context.seal(nonce: nonce, associatedData: associatedData, plaintext: plaintext, appendingTo: &ours))
            let box = try ChaChaPoly.seal(plaintext, using: SymmetricKey(data: secret),
                                          nonce: try ChaChaPoly.Nonce(data: nonce), authenticating: associatedData)
            #expect(ours == [0xAA] + Array(box.ciphertext) + Array(box.tag), "length \(length)")
        }
    }

    @Test("a wrong nonce length is refused and leaves the output as it was")
    func badNonce() throws {
        let context = try #require(ChaChaPolyContext(key: TokenTestSupport.key(7)))
        var out: [UInt8] = [1, 2]
        #expect(!context.seal(nonce: [0, 1], associatedData: [], plaintext: [5], appendingTo: &out))
        #expect(out == [1, 2])
    }
}

import Testing
import Tracking

@Suite("TokenSealer: one message id per message, one nonce per token")
struct TokenSealerTests {
    /// Bytes 2..<14 of the decoded token: message id and counter.
    private func nonce(_ text: String) -> [UInt8] {
        Array(TokenTestSupport.decode(text)![2..<14])
    }

    @Test("a token with another message id is refused")
    func foreignMessageID() {
        let sealer = TokenSealer(keyring: TokenTestSupport.keyring)
        let other = TokenSealer(keyring: TokenTestSupport.keyring)
        #expect(sealer.messageID != other.messageID)
        #expect(throws: TokenSealError.foreignMessageID) {
            try sealer.seal(TrackingToken(kind: .open, messageID: other.messageID, expiry: 1))
        }
    }

    @Test("the same token sealed twice gets two nonces: the message id, then counters 0 and 1")
    func countersAdvance() throws {
        let sealer = TokenSealer(keyring: TokenTestSupport.keyring)
        let token = TrackingToken(kind: .open, messageID: sealer.messageID, expiry: 1)
        let first = try sealer.seal(token)
        let second = try sealer.seal(token)
        #expect(first != second)
        #expect(nonce(first) == sealer.messageID + [0, 0])
        #expect(nonce(second) == sealer.messageID + [0, 1])
    }

    @Test("a refused token spends no counter")
    func refusedTokenSpendsNothing() throws {
        let sealer = TokenSealer(keyring: TokenTestSupport.keyring)
        _ = try? sealer.seal(TrackingToken(kind: .open, messageID: sealer.messageID, metadata: String(repeating: "x", count: 70_000), expiry: 1))
        let text = try sealer.seal(TrackingToken(kind: .open, messageID: sealer.messageID, expiry: 1))
        #expect(nonce(text) == sealer.messageID + [0, 0])
    }

    @Test("concurrent sealing never repeats a nonce")
    func concurrentSealing() async throws {
        let sealer = TokenSealer(keyring: TokenTestSupport.keyring)
        let token = TrackingToken(kind: .open, messageID: sealer.messageID, expiry: 1)
        let texts = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { try (0..<200).map { _ in try sealer.seal(token) } }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(texts.map(nonce)).count == 1600)
    }

    @Test("the 65 537th token of a message is refused, before the counter could wrap")
    func counterExhaustion() throws {
        let sealer = TokenSealer(keyring: TokenTestSupport.keyring)
        let token = TrackingToken(kind: .open, messageID: sealer.messageID, expiry: 1)
        var last = ""
        for _ in 0..<65_536 { last = try sealer.seal(token) }
        #expect(nonce(last) == sealer.messageID + [0xFF, 0xFF])
        #expect(throws: TokenSealError.tooManyTokens) { try sealer.seal(token) }
    }

    @Test("a sealer keeps the key that was active when it was made")
    func sealerKey() throws {
        let sealer = TokenSealer(keyring: TokenTestSupport.keyring([TokenTestSupport.key(1), TokenTestSupport.key(2, fill: 9)], active: 2))
        #expect(sealer.key.id == 2)
        let text = try sealer.seal(TrackingToken(kind: .open, messageID: sealer.messageID, expiry: 1))
        #expect(TokenTestSupport.decode(text)![0...1] == [2, 2])  // format version 2, key 2
    }
}

@Suite("Sealer randomness")
struct SealerRandomnessTests {
    @Test("the message id comes from the caller's random source, so the core draws nothing itself")
    func messageIDFromCaller() {
        var first = SplitMix64(seed: 1)
        var second = SplitMix64(seed: 1)
        var third = SplitMix64(seed: 2)
        let a = TokenSealer(keyring: TokenTestSupport.keyring, random: &first)
        let b = TokenSealer(keyring: TokenTestSupport.keyring, random: &second)
        let c = TokenSealer(keyring: TokenTestSupport.keyring, random: &third)
        #expect(a.messageID == b.messageID)
        #expect(a.messageID != c.messageID)
        #expect(a.messageID.count == 10)
    }
}

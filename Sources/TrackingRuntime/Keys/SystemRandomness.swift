import Foundation
import Tracking

// The production sources of randomness and time for the pure core: `Tracking` draws no
// random bytes and reads no clock of its own, so the service supplies them here.

extension TokenSealer {
    /// A sealer for a new message, its id drawn from the system's cryptographic random source.
    public convenience init(keyring: TrackingKeyring) {
        var random = SystemRandomNumberGenerator()
        self.init(keyring: keyring, random: &random)
    }
}

extension TrackingKeyring {
    /// The text of a new key file with one key from the system's cryptographic random
    /// source, dated today.
    public static func generateKeyFile(keyID: UInt8 = 1) -> String {
        var random = SystemRandomNumberGenerator()
        return generateKeyFile(keyID: keyID, now: Date(), random: &random)
    }

    /// The key file `text` with a new active key from the system's random source, dated today.
    public static func rotateKeyFile(_ text: String, file: String) throws(TrackingKeyFileError) -> (text: String, newKeyID: UInt8) {
        var random = SystemRandomNumberGenerator()
        return try rotateKeyFile(text, file: file, now: Date(), random: &random)
    }
}

extension EventID {
    /// A new event id from the system's cryptographic random source.
    public static func random() -> EventID {
        var random = SystemRandomNumberGenerator()
        return EventID(random: &random)
    }
}

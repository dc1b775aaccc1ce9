import Foundation
import Tracking

// Tracking takes its randomness and clock from the caller; these tests use the system's,
// as the service does.

extension TokenSealer {
    convenience init(keyring: TrackingKeyring) {
        var random = SystemRandomNumberGenerator()
        self.init(keyring: keyring, random: &random)
    }
}

extension TrackingKeyring {
    static func generateKeyFile(keyID: UInt8 = 1, now: Date = Date()) -> String {
        var random = SystemRandomNumberGenerator()
        return generateKeyFile(keyID: keyID, now: now, random: &random)
    }

    static func rotateKeyFile(_ text: String, file: String) throws(TrackingKeyFileError) -> (text: String, newKeyID: UInt8) {
        var random = SystemRandomNumberGenerator()
        return try rotateKeyFile(text, file: file, now: Date(), random: &random)
    }
}

import Foundation

extension TrackingKeyring {
    /// The text of a new key file with one key drawn from `random`, active (for a `keygen`
    /// command); `now` dates the key's comment.
    public static func generateKeyFile(keyID: UInt8 = 1, now: Date, random: inout some RandomNumberGenerator) -> String {
        let key = TrackingKey.generate(id: keyID, using: &random)
        return """
            # Tracking keys: one "ID SECRET" line per key (SECRET: 32 random bytes, base64url)
            # and one "active ID" line naming the key that seals new links. Every key listed
            # opens links; keep a replaced key until the links it sealed have expired
            # (tracking_link_expiry). Keep this file secret: a key can forge tracked links.
            active \(key.id)
            \(keyLines(key, now: now, lineBreak: "\n"))
            """
    }

    /// The key file `text` with a new random key added and made active (rotation). Old keys
    /// stay, so links already sent keep working; the rest of the text is kept as it was.
    public static func rotateKeyFile(
        _ text: String, file: String, now: Date, random: inout some RandomNumberGenerator
    ) throws(TrackingKeyFileError) -> (text: String, newKeyID: UInt8) {
        var keyFile = try TrackingKeyFile(parsing: text, file: file)
        let used = Set(keyFile.keys.map(\.id))
        // Counting up keeps ids in the order keys were made; wrap to a free id only at 255.
        let maxID = used.max() ?? 0
        guard let newID = maxID < .max ? maxID + 1 : (UInt8.min...UInt8.max).first(where: { !used.contains($0) }) else {
            throw TrackingKeyFileError(file: file, line: nil, kind: .noFreeKeyID)
        }
        let key = TrackingKey.generate(id: newID, using: &random)
        keyFile.lines[keyFile.activeLineIndex] = "active \(newID)"
        // A file ending in a line break splits into a last empty line, which the join turns back into that break.
        if keyFile.lines.last?.isEmpty == false { keyFile.lines.append("") }
        let kept = keyFile.lines.joined(separator: keyFile.lineBreak)
        return (kept + keyLines(key, now: now, lineBreak: keyFile.lineBreak), newID)
    }

    /// A key's line with a dated comment, so an operator can tell when its links expire.
    private static func keyLines(_ key: TrackingKey, now: Date, lineBreak: String) -> String {
        let day = now.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
        return "# key \(key.id) added \(day)\(lineBreak)\(key.id) \(key.secretText)\(lineBreak)"
    }
}

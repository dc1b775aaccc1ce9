/// A key file that cannot be used, with where and what to do. Never quotes the file's
/// text, which may hold secrets.
public struct TrackingKeyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The file could not be read; carries why (e.g. `no such file`).
        case unreadable(String)
        /// Neither `ID SECRET` nor `active ID`.
        case unrecognizedLine
        /// The id is not a decimal number from 0 to 255.
        case invalidKeyID
        /// The secret of this key is not base64.
        case invalidSecret(keyID: UInt8)
        /// The secret of this key does not have 32 bytes; carries how many it has.
        case wrongSecretLength(keyID: UInt8, bytes: Int)
        /// This key id was already defined, on the line given.
        case duplicateKeyID(UInt8, firstLine: Int)
        /// A second `active` line; carries the line of the first.
        case duplicateActive(firstLine: Int)
        /// The file defines no key.
        case noKeys
        /// The file has no `active` line.
        case noActiveLine
        /// The `active` line names a key the file does not define.
        case activeKeyNotListed(UInt8)
        /// Rotation found all 256 key ids in use.
        case noFreeKeyID
    }

    /// The key file's path as given.
    public let file: String
    /// The 1-based line, or nil for a problem of the whole file.
    public let line: Int?
    public let kind: Kind

    public init(file: String, line: Int?, kind: Kind) {
        self.file = file
        self.line = line
        self.kind = kind
    }

    /// `file:line: message`, or `file: message` without a line.
    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
    }

    /// What the operator runs to make a key; named in the messages.
    static let keygenCommand = "tracking-milter keygen"

    private var message: String {
        switch kind {
        case .unreadable(let reason):
            "cannot read the tracking key file (\(reason)); make one with `\(Self.keygenCommand) --file \(file)` (or name another file in keys.file)"
        case .unrecognizedLine:
            "expected `ID SECRET` or `active ID` (comments start with #)"
        case .invalidKeyID:
            "the key id must be a number from 0 to 255"
        case .invalidSecret(let id):
            "the secret of key \(id) is not base64; replace the line with one made by `\(Self.keygenCommand)`"
        case .wrongSecretLength(let id, let bytes):
            "the secret of key \(id) has \(bytes) bytes, but keys need exactly \(TrackingKey.secretLength) random bytes; make one with `\(Self.keygenCommand)`"
        case .duplicateKeyID(let id, let firstLine):
            "key \(id) is already defined on line \(firstLine); give every key its own id"
        case .duplicateActive(let firstLine):
            "a second `active` line (the first is line \(firstLine)); keep exactly one"
        case .noKeys:
            "no keys; add one (`ID SECRET`) made by `\(Self.keygenCommand)`"
        case .noActiveLine:
            "no `active ID` line; add one naming the key that seals new links"
        case .activeKeyNotListed(let id):
            "the active key \(id) is not defined in the file; add key \(id) or make a listed key active"
        case .noFreeKeyID:
            "all 256 key ids are in use; remove keys whose links have expired, then rotate"
        }
    }
}

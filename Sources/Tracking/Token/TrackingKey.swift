import Crypto

/// One secret for sealing tracking tokens, named by the id that sealed tokens carry.
///
/// Descriptions and reflection show only the id, so a key can never reach a log line.
public struct TrackingKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Bytes a secret must have (a ChaCha20-Poly1305 key).
    public static let secretLength = 32

    public let id: UInt8
    // Plain bytes, because swift-crypto 3's `SymmetricKey` is not `Sendable`; the cipher
    // gets a `SymmetricKey` made per use (`cipherKey`), which costs one small copy.
    private let secret: [UInt8]

    /// A key from its secret; nil unless the secret has exactly `secretLength` bytes.
    public init?(id: UInt8, secret: [UInt8]) {
        guard secret.count == Self.secretLength else { return nil }
        self.id = id
        self.secret = secret
    }

    /// A new key with a secret drawn from `random`, which must be a cryptographically
    /// secure source (the service passes the system's).
    public static func generate(id: UInt8, using random: inout some RandomNumberGenerator) -> TrackingKey {
        TrackingKey(id: id, drawnSecret: randomBytes(secretLength, using: &random))
    }

    private init(id: UInt8, drawnSecret: [UInt8]) {
        self.id = id
        self.secret = drawnSecret
    }

    /// The key for ChaCha20-Poly1305.
    var cipherKey: SymmetricKey {
        SymmetricKey(data: secret)
    }

    /// The secret, lent to a cipher that keeps its own copy (`ChaChaPolyContext`).
    func withSecret<R>(_ body: ([UInt8]) -> R) -> R {
        body(secret)
    }

    /// The secret as it is written in a key file: URL-safe base64 without padding.
    var secretText: String {
        Base64URL.encode(secret)
    }

    public var description: String { "key \(id)" }
    public var debugDescription: String { "TrackingKey(id: \(id))" }
    public var customMirror: Mirror { Mirror(self, children: ["id": id]) }
}

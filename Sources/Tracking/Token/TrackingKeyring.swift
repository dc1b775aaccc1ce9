/// The keys a tracker accepts, and the one new tokens are sealed with.
///
/// Rotation adds a key and makes it active while keeping the old ones, so links already
/// sent keep working until their keys are removed from the key file.
public struct TrackingKeyring: Sendable, CustomStringConvertible {
    /// The key new tokens are sealed with.
    public let activeKey: TrackingKey
    private let keysByID: [UInt8: TrackingKey]

    /// A keyring of `keys` with `activeID` active; nil when `keys` is empty, repeats an id,
    /// or lacks `activeID`. Key files go through `init(parsing:file:)`, which says which.
    public init?(keys: [TrackingKey], activeID: UInt8) {
        var byID: [UInt8: TrackingKey] = [:]
        for key in keys {
            guard byID.updateValue(key, forKey: key.id) == nil else { return nil }
        }
        guard let active = byID[activeID] else { return nil }
        self.activeKey = active
        self.keysByID = byID
    }

    /// The key with this id, if the keyring has it.
    public func key(id: UInt8) -> TrackingKey? {
        keysByID[id]
    }

    /// Every key id, ascending.
    public var keyIDs: [UInt8] {
        keysByID.keys.sorted()
    }

    public var description: String {
        "keys \(keyIDs.map(String.init).joined(separator: ", ")) (active \(activeKey.id))"
    }
}

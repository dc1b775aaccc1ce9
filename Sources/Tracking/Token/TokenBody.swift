/// The encrypted part of a sealed token: every field but the message id, which is in the nonce.
///
/// | bytes | content |
/// |---|---|
/// | 1 | link flags: bits 0–1 kind (0 click, 1 open, 2 initial open, 3 list unsubscribe), bit 2 unsubscribe, bits 3–4 target prefix stripped (0 none, 1 `http://`, 2 `https://`), bit 5 link name is `Raw URL` and omitted; bits 6–7 zero |
/// | 1 | presence flags: bit 0 recipient, 1 customer id, 2 campaign id, 3 metadata, 4 tags; bits 5–7 zero |
/// | 4 | expiry, Unix seconds, big-endian |
/// | varint + n | target URL without the stripped prefix (always present, empty for opens) |
/// | varint + n | link name, unless flagged as the default |
/// | varint + n | recipient, customer id, campaign id, metadata — each only if flagged present |
/// | varint, then varint + n each | tag count and tags, only if flagged present |
///
/// Varints are LEB128 (one byte below 128). Strings are UTF-8 of any content.
enum TokenBody {
    private enum LinkFlag {
        static let kindMask: UInt8 = 0b11
        static let unsubscribe: UInt8 = 1 << 2
        static let prefixShift: UInt8 = 3
        static let prefixMask: UInt8 = 0b11 << 3
        static let defaultLinkName: UInt8 = 1 << 5
    }

    private enum Presence {
        static let recipient: UInt8 = 1 << 0
        static let customerID: UInt8 = 1 << 1
        static let campaignID: UInt8 = 1 << 2
        static let metadata: UInt8 = 1 << 3
        static let tags: UInt8 = 1 << 4
        static let all: UInt8 = 0b1_1111
    }

    /// Prefixes worth a flag value instead of 7 or 8 bytes; index = value in bits 3–4.
    /// Only the exact lowercase spelling is stripped, so every target round-trips byte for byte.
    private static let targetPrefixes: [[UInt8]] = [[], Array("http://".utf8), Array("https://".utf8)]

    static func encode(_ token: TrackingToken) throws(TokenSealError) -> [UInt8] {
        let target = Array(token.targetURL.utf8)
        // The longest matching prefix: "https://" never matches "http://", so order is moot.
        let prefix = targetPrefixes.indices.last { target.starts(with: targetPrefixes[$0]) } ?? 0
        let isDefaultName = token.linkName == TrackingToken.defaultLinkName

        var linkFlags = token.kind.rawValue | UInt8(prefix) << LinkFlag.prefixShift
        if token.unsubscribe { linkFlags |= LinkFlag.unsubscribe }
        if isDefaultName { linkFlags |= LinkFlag.defaultLinkName }

        var presence: UInt8 = 0
        if token.recipient != nil { presence |= Presence.recipient }
        if token.customerID != nil { presence |= Presence.customerID }
        if token.campaignID != nil { presence |= Presence.campaignID }
        if token.metadata != nil { presence |= Presence.metadata }
        if !token.tags.isEmpty { presence |= Presence.tags }

        var writer = TokenByteWriter()
        writer.append(linkFlags)
        writer.append(presence)
        writer.appendBigEndian(token.expiry)
        try appendField(target.dropFirst(targetPrefixes[prefix].count), .targetURL, to: &writer)
        if !isDefaultName { try appendField(token.linkName.utf8, .linkName, to: &writer) }
        if let value = token.recipient { try appendField(value.utf8, .recipient, to: &writer) }
        if let value = token.customerID { try appendField(value.utf8, .customerID, to: &writer) }
        if let value = token.campaignID { try appendField(value.utf8, .campaignID, to: &writer) }
        if let value = token.metadata { try appendField(value.utf8, .metadata, to: &writer) }
        if !token.tags.isEmpty {
            guard token.tags.count <= SealedTokenFormat.maxFieldBytes else { throw .tooManyTags(token.tags.count) }
            writer.appendVarint(token.tags.count)
            for tag in token.tags { try appendField(tag.utf8, .tag, to: &writer) }
        }
        return writer.bytes
    }

    /// The token the body describes, or nil when it is not a well-formed version 1 body.
    static func decode(_ body: ArraySlice<UInt8>, messageID: [UInt8]) -> TrackingToken? {
        var reader = TokenByteReader(body)
        guard let linkFlags = reader.readByte(),
              linkFlags & 0b1100_0000 == 0,
              let kind = TrackingToken.EventKind(rawValue: linkFlags & LinkFlag.kindMask),
              let presence = reader.readByte(),
              presence & ~Presence.all == 0,
              let expiry = reader.readBigEndianUInt32()
        else { return nil }
        let prefix = Int((linkFlags & LinkFlag.prefixMask) >> LinkFlag.prefixShift)
        guard prefix < targetPrefixes.count, let targetRest = reader.readString() else { return nil }

        var token = TrackingToken(
            kind: kind,
            targetURL: String(decoding: targetPrefixes[prefix], as: UTF8.self) + targetRest,
            unsubscribe: linkFlags & LinkFlag.unsubscribe != 0,
            messageID: messageID,
            expiry: expiry
        )
        if linkFlags & LinkFlag.defaultLinkName == 0 {
            guard let name = reader.readString() else { return nil }
            token.linkName = name
        }
        func optional(_ flag: UInt8) -> String?? {
            presence & flag == 0 ? .some(nil) : reader.readString().map { .some($0) }
        }
        guard let recipient = optional(Presence.recipient),
              let customerID = optional(Presence.customerID),
              let campaignID = optional(Presence.campaignID),
              let metadata = optional(Presence.metadata)
        else { return nil }
        token.recipient = recipient
        token.customerID = customerID
        token.campaignID = campaignID
        token.metadata = metadata
        if presence & Presence.tags != 0 {
            // A present tag list is never empty: an empty one is spelled by the flag alone.
            guard let count = reader.readVarint(limit: SealedTokenFormat.maxFieldBytes), count > 0 else { return nil }
            for _ in 0..<count {
                guard let tag = reader.readString() else { return nil }
                token.tags.append(tag)
            }
        }
        return reader.isAtEnd ? token : nil
    }

    private static func appendField<S: Collection<UInt8>>(
        _ utf8: S, _ field: TokenSealError.Field, to writer: inout TokenByteWriter
    ) throws(TokenSealError) {
        guard utf8.count <= SealedTokenFormat.maxFieldBytes else { throw .fieldTooLong(field, bytes: utf8.count) }
        writer.appendString(utf8)
    }
}

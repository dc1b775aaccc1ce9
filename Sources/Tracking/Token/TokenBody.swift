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
///
/// Version 2 (what `encode` writes) differs in two ways: the sender's strings (target, link
/// name, customer id, campaign id, metadata, tags) are in `TokenDictionary`'s coding, the
/// length prefix counting coded bytes, so the target prefix bits are always zero (the
/// dictionary holds the schemes); the recipient stays plain, so that a token's length says
/// nothing about the address beyond its length (compressing it along with text the sender
/// chose would let lengths hint at its domain).
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

    /// Version 1's prefixes worth a flag value instead of 7 or 8 bytes; index = value in bits 3–4.
    /// Only the exact lowercase spelling was stripped, so every target round-trips byte for byte.
    private static let targetPrefixes: [[UInt8]] = [[], Array("http://".utf8), Array("https://".utf8)]

    /// The version 2 body of `token`.
    static func encode(_ token: TrackingToken) throws(TokenSealError) -> [UInt8] {
        let isDefaultName = token.linkName == TrackingToken.defaultLinkName

        var linkFlags = token.kind.rawValue
        if token.unsubscribe { linkFlags |= LinkFlag.unsubscribe }
        if isDefaultName { linkFlags |= LinkFlag.defaultLinkName }

        var presence: UInt8 = 0
        if token.recipient != nil { presence |= Presence.recipient }
        if token.customerID != nil { presence |= Presence.customerID }
        if token.campaignID != nil { presence |= Presence.campaignID }
        if token.metadata != nil { presence |= Presence.metadata }
        if !token.tags.isEmpty { presence |= Presence.tags }

        // Room for the fields as they are (coding only shrinks ASCII), so appends never regrow.
        func size(_ value: String?) -> Int { (value?.utf8.count ?? 0) &+ 3 }
        var capacity = 16 &+ token.targetURL.utf8.count &+ size(token.linkName) &+ size(token.recipient)
            &+ size(token.customerID) &+ size(token.campaignID) &+ size(token.metadata)
        for tag in token.tags { capacity &+= size(tag) }
        var writer = TokenByteWriter(capacity: capacity)
        writer.append(linkFlags)
        writer.append(presence)
        writer.appendBigEndian(token.expiry)
        try appendField(token.targetURL.utf8, .targetURL, coded: true, to: &writer)
        if !isDefaultName { try appendField(token.linkName.utf8, .linkName, coded: true, to: &writer) }
        if let value = token.recipient { try appendField(value.utf8, .recipient, coded: false, to: &writer) }
        if let value = token.customerID { try appendField(value.utf8, .customerID, coded: true, to: &writer) }
        if let value = token.campaignID { try appendField(value.utf8, .campaignID, coded: true, to: &writer) }
        if let value = token.metadata { try appendField(value.utf8, .metadata, coded: true, to: &writer) }
        if !token.tags.isEmpty {
            guard token.tags.count <= SealedTokenFormat.maxFieldBytes else { throw .tooManyTags(token.tags.count) }
            writer.appendVarint(token.tags.count)
            for tag in token.tags { try appendField(tag.utf8, .tag, coded: true, to: &writer) }
        }
        return writer.bytes
    }

    /// The token the body describes, or nil when it is not a well-formed body of `version`
    /// (1 or 2).
    static func decode(_ body: ArraySlice<UInt8>, version: UInt8, messageID: [UInt8]) -> TrackingToken? {
        let coded = version >= 2
        var reader = TokenByteReader(body)
        func senderString() -> String? { coded ? reader.readCoded() : reader.readString() }
        guard let linkFlags = reader.readByte(),
              linkFlags & 0b1100_0000 == 0,
              let kind = TrackingToken.EventKind(rawValue: linkFlags & LinkFlag.kindMask),
              let presence = reader.readByte(),
              presence & ~Presence.all == 0,
              let expiry = reader.readBigEndianUInt32()
        else { return nil }
        let prefix = Int((linkFlags & LinkFlag.prefixMask) >> LinkFlag.prefixShift)
        guard prefix < targetPrefixes.count, !coded || prefix == 0, let targetRest = senderString() else { return nil }

        var token = TrackingToken(
            kind: kind,
            targetURL: String(decoding: targetPrefixes[prefix], as: UTF8.self) + targetRest,
            unsubscribe: linkFlags & LinkFlag.unsubscribe != 0,
            messageID: messageID,
            expiry: expiry
        )
        if linkFlags & LinkFlag.defaultLinkName == 0 {
            guard let name = senderString() else { return nil }
            token.linkName = name
        }
        func optional(_ flag: UInt8, plain: Bool = false) -> String?? {
            guard presence & flag != 0 else { return .some(nil) }
            return (plain ? reader.readString() : senderString()).map { .some($0) }
        }
        guard let recipient = optional(Presence.recipient, plain: true),
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
                guard let tag = senderString() else { return nil }
                token.tags.append(tag)
            }
        }
        return reader.isAtEnd ? token : nil
    }

    private static func appendField<S: Collection<UInt8>>(
        _ utf8: S, _ field: TokenSealError.Field, coded: Bool, to writer: inout TokenByteWriter
    ) throws(TokenSealError) {
        guard utf8.count <= SealedTokenFormat.maxFieldBytes else { throw .fieldTooLong(field, bytes: utf8.count) }
        if coded { writer.appendCoded(utf8) } else { writer.appendString(utf8) }
    }
}

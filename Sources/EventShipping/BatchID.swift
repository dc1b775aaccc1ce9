import Crypto

/// The id of a batch (`X-MessageSystems-Batch-ID`), a function of where the batch starts in
/// the spool and how many lines it holds: the same batch has the same id on every retry and
/// after a restart (the shipper records an in-flight batch's extent so it re-forms it).
public enum BatchID {
    /// 32 lowercase hex digits.
    public static func make(segment: String, offset: Int, count: Int) -> String {
        let digest = SHA256.hash(data: Array("\(segment):\(offset):\(count)".utf8))
        return WebhookSignature.hex(Array(digest).prefix(16))
    }
}

import Crypto

extension MessageFingerprint {
    /// Body bytes that go into the fingerprint: enough to tell apart messages that share a
    /// Message-ID (a careless sender), few enough to cost nothing.
    static let bodyPrefix = 4096

    /// The fingerprint of a message as the MTA hands it over on every attempt: Message-ID,
    /// envelope sender and recipients, X-MSYS-API values, and the start of the body.
    public init(messageID: String?, sender: String?, recipients: [String], apiHeaders: [String], bodyStart: UnsafeRawBufferPointer) {
        var hash = SHA256()
        func add(_ text: String) {
            hash.update(data: Array(text.utf8))
            hash.update(data: [0])
        }
        add(messageID ?? "")
        add(sender ?? "")
        for recipient in recipients { add(recipient) }
        add("")
        for value in apiHeaders { add(value) }
        add("")
        hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bodyStart.prefix(Self.bodyPrefix)))
        self.init(digest: Array(hash.finalize()))
    }
}

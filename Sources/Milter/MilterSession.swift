/// One MTA connection's conversation with the milter.
///
/// The server creates a session per connection (through the factory given to
/// `MilterServer`), calls its methods in SMTP order on one thread at a time, and
/// releases it once, after `close`. Each method answers a `Reply`; a thrown error
/// becomes the server's configured failure reply and a log line, never a crash.
/// Every method has a default that answers `.continue`, so a session implements only
/// what it uses — and must list those steps in `MilterConfiguration.steps`.
public protocol MilterSession: AnyObject {
    /// SMTP connect. `address` is nil when the MTA did not say (for example local submission).
    func connect(hostname: String, address: ClientAddress?) throws -> Reply
    /// HELO or EHLO.
    func helo(_ name: String) throws -> Reply
    /// MAIL FROM: the address first, then ESMTP parameters. A new message starts here.
    func envelopeFrom(_ arguments: [String]) throws -> Reply
    /// RCPT TO: the address first, then ESMTP parameters.
    func envelopeRecipient(_ arguments: [String]) throws -> Reply
    /// DATA.
    func data() throws -> Reply
    /// One header; the value as the MTA sent its bytes (any encoding, 8-bit included), a
    /// folded value keeping its line breaks as LF followed by white space.
    func header(name: String, value: [UInt8]) throws -> Reply
    /// The end of the header block.
    func endOfHeaders() throws -> Reply
    /// One piece of the body, with CRLF line endings. The bytes are valid only during the call.
    func body(_ chunk: UnsafeRawBufferPointer) throws -> Reply
    /// End of message: the only step where the message may be modified, through `message`.
    func endOfMessage(_ message: MessageModifier) throws -> Reply
    /// The MTA abandoned the current message (RSET, a later rejection, a dropped connection).
    func abort()
    /// The connection ended. Called exactly once, also when it is the only call.
    func close()
    /// An SMTP command the MTA did not recognise.
    func unknown(_ command: String) throws -> Reply
    /// Per-message state should be forgotten: called at MAIL, after end of message and at abort.
    func resetMessage()
}

extension MilterSession {
    public func connect(hostname: String, address: ClientAddress?) throws -> Reply { .continue }
    public func helo(_ name: String) throws -> Reply { .continue }
    public func envelopeFrom(_ arguments: [String]) throws -> Reply { .continue }
    public func envelopeRecipient(_ arguments: [String]) throws -> Reply { .continue }
    public func data() throws -> Reply { .continue }
    public func header(name: String, value: [UInt8]) throws -> Reply { .continue }
    public func endOfHeaders() throws -> Reply { .continue }
    public func body(_ chunk: UnsafeRawBufferPointer) throws -> Reply { .continue }
    public func endOfMessage(_ message: MessageModifier) throws -> Reply { .continue }
    public func abort() {}
    public func close() {}
    public func unknown(_ command: String) throws -> Reply { .continue }
    public func resetMessage() {}
}

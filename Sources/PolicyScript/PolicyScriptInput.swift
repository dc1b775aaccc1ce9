import Tracking

/// What a script can read about one message: the envelope, the header fields, and the
/// connection's listener, client address and AUTH name.
public struct PolicyScriptInput: Sendable {
    public var sender: String?
    /// One recipient in split mode; every recipient of a shared body in shared mode.
    public var recipients: [String]
    public var headers: [HeaderField]
    public var listener: String?
    public var clientAddress: String?
    /// The SMTP AUTH name: `mo_customer_id` unless policy sets it.
    public var authName: String?

    public init(sender: String? = nil, recipients: [String] = [], headers: [HeaderField] = [], listener: String? = nil,
                clientAddress: String? = nil, authName: String? = nil) {
        self.sender = sender
        self.recipients = recipients
        self.headers = headers
        self.listener = listener
        self.clientAddress = clientAddress
        self.authName = authName
    }
}

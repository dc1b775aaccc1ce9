import PolicyScript
import Tracking

/// What the milter gathered about one message before end of message.
public struct MessageEnvelope: Sendable {
    public var sender: String?
    public var recipients: [String] = []
    /// Recipients answered `452` in split mode; the client sends them again later.
    public var deferredRecipients = 0
    /// The raw values of every X-MSYS-API header, in order, and the name as received.
    public var apiHeaderValues: [String] = []
    public var apiHeaderName: String?
    /// An X-MSYS-API value was not valid UTF-8.
    public var apiHeaderNotUTF8 = false
    /// The Message-ID header, for the log line.
    public var messageIDHeader: String?
    /// SMTP AUTH name (`{auth_authen}`): the customer id.
    public var customerID: String?
    /// The listener (`{daemon_name}`).
    public var listener: String?
    public var queueID: String?
    /// The SMTP client's numeric address.
    public var clientAddress: String?

    /// What policy rules match on.
    public var policyContext: PolicyContext {
        PolicyContext(customerID: customerID, clientAddress: clientAddress, listener: listener, sender: sender,
                      recipients: recipients)
    }

    /// What a policy script reads.
    public func policyScriptInput(headers: [HeaderField]) -> PolicyScriptInput {
        PolicyScriptInput(sender: sender, recipients: recipients, headers: headers, listener: listener,
                          clientAddress: clientAddress, authName: customerID)
    }

    public init() {}

    /// The address inside `<...>` as given at MAIL or RCPT.
    public static func address(_ argument: String) -> String {
        var a = Substring(argument)
        if a.hasPrefix("<") && a.hasSuffix(">") && a.count >= 2 { a = a.dropFirst().dropLast() }
        return String(a)
    }
}

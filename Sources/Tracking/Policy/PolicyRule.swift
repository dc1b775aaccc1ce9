/// What a rule can see about a message (SPEC §2.3): the customer (SMTP AUTH name), the
/// client's address, the listener, the envelope sender and the recipients it applies to.
public struct PolicyContext: Sendable, Equatable {
    public var customerID: String?
    public var clientAddress: String?
    public var listener: String?
    public var sender: String?
    /// One recipient in split mode; every recipient of a shared body in shared mode.
    public var recipients: [String]

    public init(customerID: String? = nil, clientAddress: String? = nil, listener: String? = nil,
                sender: String? = nil, recipients: [String] = []) {
        self.customerID = customerID
        self.clientAddress = clientAddress
        self.listener = listener
        self.sender = sender
        self.recipients = recipients
    }
}

/// The conditions of a rule. Every condition given must hold; a condition with several
/// values holds when any of them does; a rule with no condition always matches.
/// Addresses and domains compare case-insensitively.
public struct PolicyMatch: Sendable, Equatable {
    public var customers: [String] = []
    public var clients: [IPNetwork] = []
    public var listeners: [String] = []
    public var senders: [String] = []
    public var senderDomains: [String] = []
    public var recipients: [String] = []
    public var recipientDomains: [String] = []

    public init() {}

    /// Recipient conditions must hold for every recipient: with a shared body, a rule for
    /// some recipients only cannot be applied to the others.
    public func matches(_ c: PolicyContext) -> Bool {
        if !customers.isEmpty && !(c.customerID.map(customers.contains) ?? false) { return false }
        if !clients.isEmpty && !(c.clientAddress.map { a in clients.contains { $0.contains(a) } } ?? false) { return false }
        if !listeners.isEmpty && !(c.listener.map(listeners.contains) ?? false) { return false }
        if !senders.isEmpty && !(c.sender.map { senders.contains($0.lowercased()) } ?? false) { return false }
        if !senderDomains.isEmpty && !(c.sender.map { senderDomains.contains(Self.domain(of: $0)) } ?? false) { return false }
        if !recipients.isEmpty {
            guard !c.recipients.isEmpty, c.recipients.allSatisfy({ recipients.contains($0.lowercased()) }) else { return false }
        }
        if !recipientDomains.isEmpty {
            guard !c.recipients.isEmpty, c.recipients.allSatisfy({ recipientDomains.contains(Self.domain(of: $0)) }) else {
                return false
            }
        }
        return true
    }

    static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return address[address.index(after: at)...].lowercased()
    }
}

/// One policy rule: conditions and the variables set when they hold.
public struct PolicyRule: Sendable, Equatable {
    public var match: PolicyMatch
    public var values: PolicyValues
    /// Where the rule was written (`file:line`), for logs.
    public var origin: String

    public init(match: PolicyMatch, values: PolicyValues, origin: String) {
        self.match = match
        self.values = values
        self.origin = origin
    }
}

/// The rules in file order.
public struct Policy: Sendable, Equatable {
    public var rules: [PolicyRule]

    public init(rules: [PolicyRule] = []) { self.rules = rules }

    /// Every matching rule applied in order, later ones overriding earlier ones field by field.
    public func evaluate(_ context: PolicyContext) -> PolicyValues {
        rules.reduce(PolicyValues()) { result, rule in
            rule.match.matches(context) ? result.overridden(by: rule.values) : result
        }
    }
}

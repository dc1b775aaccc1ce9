/// Macros the MTA sent, copied as they arrive so a later step can still read them.
///
/// libmilter only answers `smfi_getsymval` for the macros of the current stage and the
/// ones before it, and forgets message macros at the next MAIL. `{mail_addr}` exists only
/// at MAIL and `{rcpt_addr}` only at RCPT, so a session that wants them at end of message
/// needs a copy.
public struct Macros: Sendable, Equatable {
    private var connectionValues: [String: String] = [:]
    private var messageValues: [String: String] = [:]

    public init() {}

    /// The macros a session sees by default: the ones Postfix and Sendmail send and
    /// milters commonly use.
    public static let commonNames: [String] = [
        "i", "j", "_", "{daemon_name}", "{daemon_addr}", "{if_name}", "{if_addr}",
        "{client_addr}", "{client_name}", "{client_port}", "{client_ptr}", "{client_resolve}",
        "{auth_type}", "{auth_authen}", "{auth_author}", "{mail_addr}", "{mail_host}",
        "{mail_mailer}", "{rcpt_addr}", "{rcpt_host}", "{rcpt_mailer}", "{tls_version}",
        "{cipher}", "{cert_subject}", "{cert_issuer}", "v",
    ]

    /// The last value seen for `name` (`"i"`, `"{auth_authen}"`, ...), in this message or this connection.
    public subscript(name: String) -> String? {
        messageValues[name] ?? connectionValues[name]
    }

    /// Records a value that arrived at `stage`.
    public mutating func record(_ name: String, _ value: String, at stage: MacroStage) {
        switch stage {
        case .connect, .helo: connectionValues[name] = value
        default: messageValues[name] = value
        }
    }

    /// Forgets the macros of the message (MAIL, RCPT, DATA, EOH, EOM stages).
    public mutating func resetMessage() { messageValues.removeAll(keepingCapacity: true) }
}

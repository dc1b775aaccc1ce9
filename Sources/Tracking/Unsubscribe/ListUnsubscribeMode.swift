/// Whether tracked mail gets RFC 8058 one-click unsubscribe header fields
/// (`tracking.list_unsubscribe`).
public enum ListUnsubscribeMode: String, Sendable, CaseIterable {
    /// No `List-Unsubscribe` is added (the default: an unsubscribe the sender does not
    /// process would be worse than none).
    case off
    /// `List-Unsubscribe: <https://DOMAIN/u/TOKEN>` and `List-Unsubscribe-Post`.
    case oneClick = "one-click"
}

/// Why a webhook request did not deliver its batch. The text names the endpoint's answer,
/// never a credential.
public enum WebhookError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The endpoint answered, but not with 2xx.
    case status(Int)
    /// The OAuth2 token endpoint refused or answered something that is not a token.
    case token(String)

    public var description: String {
        switch self {
        case .status(let code): "the endpoint answered HTTP \(code); 2xx means delivered"
        case .token(let why): "no OAuth2 token: \(why)"
        }
    }
}

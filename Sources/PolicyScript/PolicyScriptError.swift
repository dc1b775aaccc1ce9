/// Why a policy script could not load or could not finish a call, as `FILE:LINE: message`
/// (the line when Lua knows it).
public struct PolicyScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The file could not be read.
        case unreadable
        /// A syntax error, or an error while the script's top level ran or registered its hooks.
        case load
        /// An error raised while a hook ran.
        case run
        /// The call used more instructions than its budget.
        case instructionLimit
        /// The interpreter would have grown past its memory budget.
        case memoryLimit
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

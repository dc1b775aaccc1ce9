/// What a session answers at one step of the milter conversation.
public enum Reply: Sendable, Equatable {
    /// Go on with the next step.
    case `continue`
    /// Accept the message (or, before MAIL, the connection) without further filtering.
    case accept
    /// Accept the message and silently drop it.
    case discard
    /// Skip the rest of the body chunks (only meaningful in `body`).
    case skip
    /// Reject with a permanent (5xx) error; `nil` lets the MTA pick its default text.
    case reject(SMTPReply? = nil)
    /// Refuse with a temporary (4xx) error; `nil` lets the MTA pick its default text.
    case tempfail(SMTPReply? = nil)
}

/// An SMTP reply the MTA sends for a `reject` or `tempfail`.
///
/// Validated on creation, because libmilter passes whatever it gets to the MTA and the
/// MTA either mangles or drops a malformed reply.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    /// Three-digit reply code, `4xx` or `5xx`.
    public let code: String
    /// Enhanced status code (RFC 3463), for example `5.6.0`.
    public let enhancedCode: String?
    /// The text, one element a line.
    public let lines: [String]

    /// Most lines a reply may have (the C shim's limit for `smfi_setmlreply`).
    public static let maxLines = 16

    public init(code: String, enhancedCode: String? = nil, lines: [String]) throws(MilterError) {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let first = code.utf8.first, first == UInt8(ascii: "4") || first == UInt8(ascii: "5")
        else { throw .invalidReply("reply code \"\(code)\" must be three digits starting with 4 or 5") }
        if let enhancedCode {
            let parts = enhancedCode.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
                  parts[0].utf8.first == code.utf8.first, parts[0].count == 1
            else { throw .invalidReply("enhanced code \"\(enhancedCode)\" must look like \(code.prefix(1)).x.y and match the reply class") }
        }
        guard !lines.isEmpty, lines.count <= Self.maxLines else {
            throw .invalidReply("a reply needs 1 to \(Self.maxLines) lines, got \(lines.count)")
        }
        for line in lines where line.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
            throw .invalidReply("reply line \"\(line)\" contains CR, LF or NUL")
        }
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines
    }

    /// A one-line reply.
    public init(code: String, enhancedCode: String? = nil, text: String) throws(MilterError) {
        try self.init(code: code, enhancedCode: enhancedCode, lines: [text])
    }

    /// `true` for 4xx codes.
    public var isTemporary: Bool { code.utf8.first == UInt8(ascii: "4") }

    public var description: String {
        let prefix = enhancedCode.map { "\(code) \($0) " } ?? "\(code) "
        return lines.map { prefix + $0 }.joined(separator: "\n")
    }
}

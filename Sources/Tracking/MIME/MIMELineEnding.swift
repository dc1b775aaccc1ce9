/// A line ending as written on the wire: SMTP uses CRLF, files handed to the offline command often LF.
public enum MIMELineEnding: Sendable, Equatable {
    case crlf
    case lf

    /// The ending's bytes.
    public var bytes: [UInt8] {
        switch self {
        case .crlf: [MIMEBytes.cr, MIMEBytes.lf]
        case .lf: [MIMEBytes.lf]
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Where the milter listens, in libmilter's notation.
public enum SocketSpec: Sendable, Equatable, CustomStringConvertible {
    /// `unix:/path` (or `local:/path`).
    case unix(path: String)
    /// `inet:port@host`; a nil host listens on every IPv4 address.
    case inet(port: UInt16, host: String?)
    /// `inet6:port@host`.
    case inet6(port: UInt16, host: String?)

    /// Parses `unix:/path`, `local:/path`, `inet:port[@host]` or `inet6:port[@host]`.
    public init(parsing text: String) throws(MilterError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw .invalidSocket("\"\(text)\": expected unix:/path, inet:port@host or inet6:port@host")
        }
        let kind = text[..<colon].lowercased()
        let rest = String(text[text.index(after: colon)...])
        switch kind {
        case "unix", "local":
            guard rest.hasPrefix("/") else {
                throw .invalidSocket("\"\(text)\": a unix socket needs an absolute path, for example unix:/run/tracking-milter/milter.sock")
            }
            self = .unix(path: rest)
        case "inet", "inet6":
            let parts = rest.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
            guard let port = UInt16(parts[0]), port > 0 else {
                throw .invalidSocket("\"\(text)\": expected a port from 1 to 65535 before '@', for example inet:8891@127.0.0.1")
            }
            let host = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil
            self = kind == "inet" ? .inet(port: port, host: host) : .inet6(port: port, host: host)
        default:
            throw .invalidSocket("\"\(text)\": unknown socket kind \"\(kind)\"; use unix:, inet: or inet6:")
        }
    }

    public var description: String {
        switch self {
        case .unix(let path): return "unix:\(path)"
        case .inet(let port, let host): return "inet:\(port)" + (host.map { "@\($0)" } ?? "")
        case .inet6(let port, let host): return "inet6:\(port)" + (host.map { "@\($0)" } ?? "")
        }
    }
}

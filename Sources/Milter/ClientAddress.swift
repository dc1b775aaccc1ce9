#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SMTP client's address as the MTA reported it at connect.
public enum ClientAddress: Sendable, Equatable, CustomStringConvertible {
    case ipv4(String, port: UInt16)
    case ipv6(String, port: UInt16)
    case unix(String)

    /// The numeric host (or the socket path).
    public var host: String {
        switch self {
        case .ipv4(let h, _), .ipv6(let h, _), .unix(let h): return h
        }
    }

    public var description: String {
        switch self {
        case .ipv4(let h, let p): return "\(h):\(p)"
        case .ipv6(let h, let p): return "[\(h)]:\(p)"
        case .unix(let p): return "unix:\(p)"
        }
    }

    /// Reads a `struct sockaddr` as libmilter passes it; `nil` for families it does not know.
    public init?(_ address: UnsafePointer<sockaddr>?) {
        guard let address else { return nil }
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let v = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
            var addr = v.sin_addr
            guard let text = numericHost(AF_INET, &addr, Int(INET_ADDRSTRLEN)) else { return nil }
            self = .ipv4(text, port: UInt16(bigEndian: v.sin_port))
        case AF_INET6:
            let v = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
            var addr = v.sin6_addr
            guard let text = numericHost(AF_INET6, &addr, Int(INET6_ADDRSTRLEN)) else { return nil }
            self = .ipv6(text, port: UInt16(bigEndian: v.sin6_port))
        case AF_UNIX:
            let path = address.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { p in
                withUnsafeBytes(of: p.pointee.sun_path) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
            }
            self = .unix(path)
        default:
            return nil
        }
    }
}

private func numericHost(_ family: Int32, _ address: UnsafeRawPointer, _ capacity: Int) -> String? {
    var buffer = [CChar](repeating: 0, count: capacity)
    guard inet_ntop(family, address, &buffer, socklen_t(capacity)) != nil else { return nil }
    return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

import Posix
#if canImport(Glibc)
import Glibc
#endif

/// Checks a socket before libmilter opens it, because libmilter reports its own failures
/// only to syslog (which many hosts and containers lack) and then exits silently.
enum SocketPreflight {
    static func check(_ spec: SocketSpec) throws(MilterError) {
        switch spec {
        case .unix(let path): try checkUnix(path, spec)
        case .inet(let port, let host): try probeBind(AF_INET, port: port, host: host, spec)
        case .inet6(let port, let host): try probeBind(AF_INET6, port: port, host: host, spec)
        }
    }

    private static func checkUnix(_ path: String, _ spec: SocketSpec) throws(MilterError) {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        var st = stat()
        guard stat(directory.isEmpty ? "/" : directory, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            throw .cannotOpenSocket(spec: "\(spec)", reason: "directory \(directory) does not exist; create it (and let the MTA's user reach it)")
        }
        guard access(directory.isEmpty ? "/" : directory, W_OK | X_OK) == 0 else {
            throw .cannotOpenSocket(spec: "\(spec)", reason: "directory \(directory) is not writable by this user")
        }
        guard lstat(path, &st) == 0 else { return }
        guard st.st_mode & S_IFMT == S_IFSOCK else {
            throw .cannotOpenSocket(spec: "\(spec)", reason: "\(path) exists and is not a socket; remove it or choose another path")
        }
        if isListening(path) {
            throw .cannotOpenSocket(spec: "\(spec)", reason: "another process is listening on \(path); stop it or choose another path")
        }
        // A stale socket is left for libmilter to remove (smfi_opensocket(true)).
    }

    private static func isListening(_ path: String) -> Bool {
        guard let fd = try? Posix.streamSocket(AF_UNIX) else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }

    private static func probeBind(_ family: Int32, port: UInt16, host: String?, _ spec: SocketSpec) throws(MilterError) {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw .cannotOpenSocket(spec: "\(spec)", reason: "cannot resolve \(host ?? "*"): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        let fd: Int32
        do { fd = try Posix.streamSocket(family) } catch {
            throw .cannotOpenSocket(spec: "\(spec)", reason: "\(error)")
        }
        defer { close(fd) }
        try? Posix.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            throw .cannotOpenSocket(spec: "\(spec)", reason: "\(reason); is another milter on port \(port)?")
        }
    }
}

import Milter
import Testing

@Suite("Socket specs")
struct SocketSpecTests {
    @Test("valid specs", arguments: [
        ("unix:/run/m.sock", SocketSpec.unix(path: "/run/m.sock")), ("local:/tmp/x", .unix(path: "/tmp/x")),
        ("inet:8891@127.0.0.1", .inet(port: 8891, host: "127.0.0.1")), ("inet:8891", .inet(port: 8891, host: nil)),
        ("inet6:8891@::1", .inet6(port: 8891, host: "::1")),
    ])
    func parses(text: String, expected: SocketSpec) throws {
        #expect(try SocketSpec(parsing: text) == expected)
    }

    @Test("invalid specs say what is expected", arguments: ["unix:relative.sock", "inet:0@h", "inet:port@h", "tcp:1@h", "nocolon"])
    func rejects(text: String) {
        #expect(throws: MilterError.self) { try SocketSpec(parsing: text) }
    }
}

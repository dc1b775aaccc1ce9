import Foundation
import Testing
@testable import TrackingRuntime

@Suite("events.postgres configuration")
struct PostgresConfigTests {
    static func parse(_ section: String, file: String = "/etc/t/c.yaml") throws(ConfigError) -> PostgresSettings? {
        try ConfigLoader.parse("events:\n  spool:\n    dir: /var/spool/t\n  postgres:\n" + section, file: file).events.postgres
    }

    static func error(_ section: String) -> String {
        do {
            _ = try parse(section)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test("defaults, and every key read; the password from a file relative to the configuration")
    func keys() throws {
        let plain = try #require(try Self.parse("    url: postgres://tracking@db.example:5433/events\n"))
        #expect(plain.password == nil && plain.connectTimeout == 10 && plain.batchTimeout == 30 && plain.delivery == DeliverySettings())

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgconf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "s3cret\nignored\n".write(toFile: dir + "/pw", atomically: true, encoding: .utf8)
        let all = try #require(try Self.parse("""
                url: postgresql://tracking:inurl@127.0.0.1/events?sslmode=require
                password_file: pw
                connect_timeout: 3
                batch_timeout: 7
                batch_max_events: 5000
                backoff_max_seconds: 60
                dead_letter: dead.jsonl

            """, file: dir + "/c.yaml"))
        #expect(all.password?.value == "s3cret")
        #expect(all.connectTimeout == 3 && all.batchTimeout == 7)
        #expect(all.delivery.batchMaxEvents == 5000 && all.delivery.backoffMaxSeconds == 60)
        #expect(all.delivery.deadLetter == dir + "/dead.jsonl")
        let url = try PostgresURL(parsing: all.url)
        #expect(url.host == "127.0.0.1" && url.port == 5432 && url.user == "tracking" && url.password == "inurl")
        #expect(url.database == "events" && url.tls == .require)
    }

    @Test("a URL that cannot be used stops start-up at its line, saying what to write", arguments: [
        ("    url: http://db/x\n", "not a postgres:// URL"),
        ("    url: postgres:///events\n", "has no host"),
        ("    url: postgres://db.example/events\n", "has no user"),
        ("    url: postgres://u@db/x?sslmode=maybe\n", "sslmode must be one of disable, prefer, require, verify-full"),
        ("    url: postgres://u@db/x?timeout=3\n", "unknown URL parameter timeout"),
        ("    password: x\n", "postgres needs url"),
        ("    url: postgres://u@db/x\n    password: a\n    password_file: b\n", "not both"),
        ("    url: postgres://u@db/x\n    batch_timeout: 0\n", "batch_timeout"),
    ])
    func refused(_ section: String, _ expected: String) {
        let message = Self.error(section)
        #expect(message.contains(expected), "\(message)")
        #expect(message.hasPrefix("/etc/t/c.yaml:"), "\(message)")
    }

    @Test("a user name defaults the database, as in libpq; IPv6 hosts lose their brackets")
    func defaultsLikeLibpq() throws {
        let url = try PostgresURL(parsing: "postgres://alice@[::1]:6543")
        #expect(url.database == "alice" && url.host == "::1" && url.port == 6543 && url.tls == .prefer)
    }
}

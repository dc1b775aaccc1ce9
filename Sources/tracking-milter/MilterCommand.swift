import ArgumentParser
import Logging
import Milter
import Tracking
import TrackingMilter
#if canImport(Glibc)
import Glibc
#endif

struct MilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "milter", abstract: "Run the milter that Postfix or Sendmail connects to.")

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Option(name: .long, help: "Listen here instead of the config's milter.socket (unix:/path or inet:port@host).")
    var socket: String?

    func run() throws {
        var configuration = try loadOrExit(config)
        if let socket {
            do { configuration.milter.socket = try SocketSpec(parsing: socket) } catch {
                fail("--socket: \(error)")
            }
        }
        let keyring: TrackingKeyring
        do { keyring = try KeyringLoader.load(configuration) } catch { fail("\(error)", code: EX_CONFIG) }
        LineLogHandler.bootstrap(configuration.log)
        let logger = Logger(label: "tracking-milter")
        if let warning = KeyringLoader.permissionWarning(configuration.keysFile) { logger.warning("\(warning)") }
        do {
            try MilterService.run(configuration: configuration, keyring: keyring, logger: logger)
        } catch {
            logger.critical("cannot run the milter", metadata: ["error": "\(error)"])
            throw ExitCode(EX_UNAVAILABLE)
        }
    }
}

/// Loads the configuration or stops with the problem's file and line (exit 78, EX_CONFIG).
func loadOrExit(_ path: String) throws -> Configuration {
    do {
        return try ConfigLoader.load(path: path)
    } catch {
        fail("configuration error: \(error)", code: EX_CONFIG)
    }
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

func fail(_ message: String, code: Int32 = EX_USAGE) -> Never {
    var line = Array("tracking-milter: \(message)\n".utf8)
    _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    exit(code)
}

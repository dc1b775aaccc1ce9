import ArgumentParser
import Milter
import TrackingMilter
import TrackingRuntime
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
        let (configuration, keyring) = orExit { () throws(StartupError) in try ServiceStartup.load(config) }
        orExit { () throws(StartupError) in try ServiceStartup.checkSpillDirectory(configuration) }
        let spec: SocketSpec
        if let socket {
            do { spec = try SocketSpec(parsing: socket) } catch { fail("--socket: \(error)") }
        } else {
            do { spec = try configuration.milter.socketSpec(configFile: configuration.file) } catch {
                fail("configuration error: \(error)", code: StartupError.configExitCode)
            }
        }
        let logger = ServiceStartup.logger(configuration)
        ServiceStartup.warnAboutKeyFile(configuration, logger: logger)
        do {
            try MilterService.run(configuration: configuration, socket: spec, keyring: keyring, logger: logger)
        } catch {
            logger.critical("cannot run the milter", metadata: ["error": "\(error)"])
            throw ExitCode(EX_UNAVAILABLE)
        }
    }
}

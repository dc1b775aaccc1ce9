import ArgumentParser
import Tracker
import TrackingRuntime
#if canImport(Glibc)
import Glibc
#endif

struct TrackerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracker",
        abstract: "Run the HTTP tracker that answers tracked links and open pixels.",
        discussion: """
            Serves /f/SUBLINK/TOKEN (302 to the sealed target), /q/TOKEN (1x1 GIF), /healthz and \
            /metrics on tracker.listen, and writes one JSON event line per valid hit. SIGTERM or \
            SIGINT stops it after requests in flight; SIGHUP re-reads the machines file and \
            reopens the events file.
            """)

    @Option(name: .long, help: "The YAML configuration file (the milter's; same key file).")
    var config: String

    func run() throws {
        // main blocked these for libmilter; here swift-service-lifecycle handles them.
        TrackerSignals.unblockTerminationSignals()
        let (configuration, keyring) = orExit { () throws(StartupError) in try ServiceStartup.load(config, policyScript: false) }
        let logger = ServiceStartup.logger(configuration)
        let resources = orExit { () throws(StartupError) in try TrackerResources.load(configuration, logger: logger) }
        ServiceStartup.warnAboutKeyFile(configuration, logger: logger)
        do {
            try TrackerServer.runBlocking(configuration: configuration, keyring: keyring, resources: resources, logger: logger)
        } catch {
            logger.critical("cannot run the tracker", metadata: ["error": "\(error)"])
            throw ExitCode(EX_UNAVAILABLE)
        }
    }
}

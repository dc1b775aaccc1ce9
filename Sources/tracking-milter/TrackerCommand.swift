import ArgumentParser
import Dispatch
import Logging
import Synchronization
import Tracker
import Tracking
import TrackingMilter
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
        let configuration = try loadOrExit(config)
        let keyring: TrackingKeyring
        do { keyring = try KeyringLoader.load(configuration) } catch { fail("\(error)", code: EX_CONFIG) }
        let machines: [MachineRule]
        do {
            machines = try configuration.tracker.machinesFile.map { path throws(ConfigError) in
                try MachineRulesLoader.load(path: path)
            } ?? DefaultMachines.rules()
        } catch {
            fail("configuration error: \(error)", code: EX_CONFIG)
        }
        let events: FileEventWriter
        if configuration.tracker.eventsToStandardOutput {
            events = FileEventWriter()
        } else {
            do { events = try FileEventWriter(appendingTo: configuration.tracker.eventsFile) } catch {
                fail("\(error)", code: EX_CANTCREAT)
            }
        }
        LineLogHandler.bootstrap(configuration.log)
        let logger = Logger(label: "tracking-milter")
        if let warning = KeyringLoader.permissionWarning(configuration.keysFile) { logger.warning("\(warning)") }
        let outcome = Self.runBlocking {
            try await TrackerServer.run(
                configuration: configuration, keyring: keyring, machines: machines, events: events, logger: logger)
        }
        if case .failure(let error) = outcome {
            logger.critical("cannot run the tracker", metadata: ["error": "\(error)"])
            throw ExitCode(EX_UNAVAILABLE)
        }
    }

    /// Runs async work to completion from this synchronous command (the root command is not
    /// async, and `main` must stay synchronous for the milter).
    private static func runBlocking(_ work: @escaping @Sendable () async throws -> Void) -> Result<Void, any Error> {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<Void, any Error>>(.success(()))
        Task.detached {
            do { try await work() } catch { result.withLock { $0 = .failure(error) } }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }
    }
}

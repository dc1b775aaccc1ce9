import Dispatch
import EventSpool
import Logging
import Synchronization
import Tracking
import TrackingRuntime

/// What the tracker loads before it serves, beyond the configuration and keys: the machine
/// rules, the events file and the event spool. Problems stop start-up with a `StartupError`.
public struct TrackerResources: Sendable {
    public let machines: [MachineRule]
    public let events: FileEventWriter
    /// The event spool, when `events.spool` is set.
    public let spool: SpoolWriter?

    /// Loads what `configuration` names; the writers log their failures to `logger`.
    public static func load(_ configuration: Configuration, logger: Logger) throws(StartupError) -> TrackerResources {
        let machines = try Self.machines(configuration)
        let events: FileEventWriter
        if configuration.tracker.eventsToStandardOutput {
            events = FileEventWriter(logger: logger)
        } else {
            do {
                events = try FileEventWriter(appendingTo: configuration.tracker.eventsFile, logger: logger)
            } catch {
                throw StartupError("\(error)", exitCode: 73)  // EX_CANTCREAT
            }
        }
        let spool = try configuration.events.makeSpoolWriter(producer: .tracker, logger: logger)
        return TrackerResources(machines: machines, events: events, spool: spool)
    }
}

extension TrackerResources {
    /// The machine rules the configuration names (its machines file, or the built-in ones).
    static func machines(_ configuration: Configuration) throws(StartupError) -> [MachineRule] {
        do {
            return try configuration.tracker.machinesFile.map { path throws(ConfigError) in
                try MachineRulesLoader.load(path: path)
            } ?? DefaultMachines.rules()
        } catch {
            throw StartupError("configuration error: \(error)", exitCode: StartupError.configExitCode)
        }
    }
}

extension TrackerServer {
    /// Runs the tracker until SIGTERM or SIGINT from synchronous code (the executable's
    /// `main` stays synchronous for libmilter). Throws what stopped it early.
    public static func runBlocking(
        configuration: Configuration, keyring: TrackingKeyring, resources: TrackerResources, logger: Logger
    ) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        Task.detached {
            do {
                try await run(configuration: configuration, keyring: keyring, machines: resources.machines,
                              events: resources.events, spool: resources.spool, logger: logger)
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}

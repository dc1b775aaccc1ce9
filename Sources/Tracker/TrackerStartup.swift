import Dispatch
import Logging
import Synchronization
import Tracking
import TrackingRuntime

/// What the tracker loads before it serves, beyond the configuration and keys: the machine
/// rules and the events file. Problems stop start-up with a `StartupError`.
public struct TrackerResources: Sendable {
    public let machines: [MachineRule]
    public let events: FileEventWriter

    /// Loads what `configuration` names; the events writer logs its failures to `logger`.
    public static func load(_ configuration: Configuration, logger: Logger) throws(StartupError) -> TrackerResources {
        let machines = try Self.machines(configuration)
        if configuration.tracker.eventsToStandardOutput {
            return TrackerResources(machines: machines, events: FileEventWriter(logger: logger))
        }
        do {
            return TrackerResources(machines: machines, events: try FileEventWriter(appendingTo: configuration.tracker.eventsFile, logger: logger))
        } catch {
            throw StartupError("\(error)", exitCode: 73)  // EX_CANTCREAT
        }
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
                              events: resources.events, logger: logger)
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}

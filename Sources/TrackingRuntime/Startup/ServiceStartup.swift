import Logging
import Posix
import Tracking

/// Why a command cannot start, with the exit code (sysexits.h) an init system or script
/// can act on. The text already says what to fix.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32

    public init(_ description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }

    /// EX_CONFIG: the configuration or key file is wrong.
    public static let configExitCode: Int32 = 78
}

/// What every command that serves or rewrites mail loads first: the configuration, then
/// the key file it names. One home for "load or stop with FILE:LINE".
public enum ServiceStartup {
    /// The validated configuration at `path`; `policyScript: false` for commands that never
    /// run the policy script, so a broken script does not stop them.
    public static func configuration(_ path: String, policyScript: Bool = true) throws(StartupError) -> Configuration {
        do { return try ConfigLoader.load(path: path, policyScript: policyScript) } catch {
            throw StartupError("configuration error: \(error)", exitCode: StartupError.configExitCode)
        }
    }

    /// The configuration at `path` and its keyring.
    public static func load(_ path: String, policyScript: Bool = true) throws(StartupError) -> (Configuration, TrackingKeyring) {
        let configuration = try configuration(path, policyScript: policyScript)
        return (configuration, try keyring(configuration))
    }

    /// The keyring the configuration names.
    public static func keyring(_ configuration: Configuration) throws(StartupError) -> TrackingKeyring {
        do { return try KeyringLoader.load(configuration) } catch {
            throw StartupError("\(error)", exitCode: StartupError.configExitCode)
        }
    }

    /// Makes and drops a spill file in `limits.spill_directory`, so a directory the milter
    /// cannot use stops start-up (or a reload) at its line in the file instead of failing
    /// messages later. Also makes a write past the file-size limit fail with EFBIG (a spill
    /// failure, handled) instead of SIGXFSZ ending the process. For the commands that rewrite.
    public static func checkSpillDirectory(_ configuration: Configuration) throws(StartupError) {
        Posix.ignoreFileSizeSignal()
        do {
            try configuration.spill.directory.parsed(in: configuration.file, key: "limits.spill_directory") { path in
                do throws(PosixError) { Posix.close(try Posix.openUnnamedFile(inDirectory: path)) } catch {
                    throw SpillError(.create, directory: path, error)
                }
            }
        } catch {
            throw StartupError("configuration error: \(error)", exitCode: StartupError.configExitCode)
        }
    }

    /// Sets up log lines as the configuration says (once per process).
    public static func logger(_ configuration: Configuration) -> Logger {
        LineLogHandler.bootstrap(configuration.log)
        return Logger(label: "tracking-milter")
    }

    /// Logs a warning when the key file can be read by others (for the long-running services).
    public static func warnAboutKeyFile(_ configuration: Configuration, logger: Logger) {
        if let warning = KeyringLoader.permissionWarning(configuration.keysFile) { logger.warning("\(warning)") }
    }
}

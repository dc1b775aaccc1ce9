import Logging
import Milter
import Tracking
import TrackingRuntime

/// Reloads the configuration, policy and key file on SIGHUP or SIGUSR1, without a restart:
/// messages in flight finish with what they started with. A file that does not load is
/// refused with its FILE:LINE error, and the running settings stay.
public enum MilterReloader {
    /// Starts the thread that waits for the reload signal.
    /// Loads the configuration file the service runs with, and its key file, and puts both
    /// in force. Returns false (and logs why) when they do not load.
    @discardableResult
    public static func reload(_ service: TrackingService) -> Bool {
        let path = service.configuration.file
        let logger = service.logger
        let loaded: (Configuration, TrackingKeyring)
        do {
            loaded = try ServiceStartup.load(path)
            try ServiceStartup.checkSpillDirectory(loaded.0)
        } catch {
            logger.error("reload refused; the running configuration stays in force", metadata: [
                "config": "\(path)", "error": "\(error)",
            ])
            return false
        }
        let needRestart = service.replace(configuration: loaded.0, keyring: loaded.1)
        logger.info("reloaded", metadata: [
            "config": "\(path)", "policy_rules": "\(loaded.0.policy.rules.count)",
            "policy_script": "\(loaded.0.policyScript?.path ?? "none")",
            "keys": "\(loaded.1.keyIDs.count)", "active_key": "\(loaded.1.activeKey.id)",
        ])
        if !needRestart.isEmpty {
            logger.warning("changed settings that only a restart applies were kept as they were", metadata: [
                "keys": "\(needRestart.joined(separator: ","))",
            ])
        }
        return true
    }
}

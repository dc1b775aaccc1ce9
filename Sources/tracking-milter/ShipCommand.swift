import ArgumentParser
import EventShipping
import TrackingRuntime

struct ShipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ship",
        abstract: "Deliver spooled events to the configured sinks (webhooks).",
        discussion: """
            Reads events.spool and delivers each sink's batches from its checkpoint, retrying \
            failures with backoff (docs/events.md). SIGTERM or SIGINT stops it; SIGHUP or SIGUSR1 \
            re-reads the configuration. With --once it ships what is spooled and exits: 0 when \
            everything was delivered, 75 when a sink failed (the rest stays spooled).
            """)

    @Option(name: .long, help: "The YAML configuration file (events.spool and events.webhooks).")
    var config: String

    @Flag(name: .long, help: "Ship what is in the spool now, then exit (for tests and cron).")
    var once = false

    func run() throws {
        let code = orExit { () throws(StartupError) in try ShipRunner.run(configPath: config, once: once) }
        if code != 0 { throw ExitCode(code) }
    }
}

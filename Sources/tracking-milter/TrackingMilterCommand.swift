import ArgumentParser

/// The one executable: the milter, and the tools around it.
struct TrackingMilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracking-milter",
        abstract: "Engagement tracking (click and open tracking) inside Postfix or Sendmail.",
        subcommands: [
            MilterCommand.self, TrackerCommand.self, CheckConfigCommand.self, RewriteCommand.self, KeygenCommand.self,
            DecodeCommand.self, ShipCommand.self, ReportCommand.self,
        ]
    )
}

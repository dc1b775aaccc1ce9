import ArgumentParser
import TrackingMilter

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration file and print the settings per listener.")

    @Argument(help: "The YAML configuration file.")
    var file: String

    func run() throws {
        let configuration = try loadOrExit(file)
        print(ConfigSummary(configuration).text, terminator: "")
    }
}

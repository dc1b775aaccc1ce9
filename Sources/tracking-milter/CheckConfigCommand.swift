import ArgumentParser
import TrackingMilter
import TrackingRuntime

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration file and print the settings per listener.")

    @Argument(help: "The YAML configuration file.")
    var file: String

    func run() throws {
        let configuration = orExit { () throws(StartupError) in try ServiceStartup.configuration(file) }
        do { _ = try configuration.milter.socketSpec(configFile: configuration.file) } catch {
            fail("configuration error: \(error)", code: StartupError.configExitCode)
        }
        orExit { () throws(StartupError) in try ServiceStartup.checkSpillDirectory(configuration) }
        let keyring = orExit { () throws(StartupError) in try ServiceStartup.keyring(configuration) }
        print(ConfigSummary(configuration).text, terminator: "")
        print("keys.file: \(configuration.keysFile) (keys \(keyring.keyIDs.map(String.init).joined(separator: ", ")); active \(keyring.activeKey.id))")
        if let warning = KeyringLoader.permissionWarning(configuration.keysFile) { print("warning: \(warning)") }
    }
}

import ArgumentParser
import Tracking
import TrackingMilter
#if canImport(Glibc)
import Glibc
#endif

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration file and print the settings per listener.")

    @Argument(help: "The YAML configuration file.")
    var file: String

    func run() throws {
        let configuration = try loadOrExit(file)
        let keyring: TrackingKeyring
        do { keyring = try KeyringLoader.load(configuration) } catch { fail("\(error)", code: EX_CONFIG) }
        print(ConfigSummary(configuration).text, terminator: "")
        print("keys.file: \(configuration.keysFile) (keys \(keyring.keyIDs.map(String.init).joined(separator: ", ")); active \(keyring.activeKey.id))")
        if let warning = KeyringLoader.permissionWarning(configuration.keysFile) { print("warning: \(warning)") }
    }
}

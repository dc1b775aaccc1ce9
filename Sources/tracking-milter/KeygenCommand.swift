import ArgumentParser
import TrackingRuntime
#if canImport(Glibc)
import Glibc
#endif

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create the key file that seals tracked URLs, or add a new active key to it.",
        discussion: """
            Without --rotate a new file with one key is created (mode 0600); an existing file is \
            never replaced. With --rotate a new key is added and made active; old keys stay so that \
            links already sent keep working until they expire.
            """)

    @Option(name: .long, help: "The key file to write.")
    var file: String?

    @Option(name: .long, help: "Take the key file's path from this configuration (keys.file).")
    var config: String?

    @Flag(name: .long, help: "Add a new active key to an existing file.")
    var rotate = false

    @Flag(name: .long, help: "Do nothing when the file exists already (for set-up scripts).")
    var ifMissing = false

    func validate() throws {
        guard (file == nil) != (config == nil) else { throw ValidationError("give exactly one of --file or --config") }
    }

    func run() throws {
        let path = file ?? orExit { () throws(StartupError) in try ServiceStartup.configuration(config ?? "", policyScript: false) }.keysFile
        do {
            if rotate {
                let id = try KeyFileWriter.rotate(at: path)
                print("added key \(id) to \(path) and made it active")
            } else {
                if ifMissing && access(path, F_OK) == 0 { return }
                try KeyFileWriter.create(at: path)
                print("created \(path)")
            }
        } catch {
            fail("\(error)", code: 1)
        }
    }
}

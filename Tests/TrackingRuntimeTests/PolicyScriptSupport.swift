import Foundation
import Logging
import Tracking
@testable import TrackingRuntime

/// A directory of its own per test, for configuration and script files.
struct ScriptDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("policy-script-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// A configuration parsed as if from a file in this directory.
    func configuration(_ yaml: String, name: String = "config.yaml") throws -> Configuration {
        let path = try write(name, yaml)
        return try ConfigLoader.load(path: path)
    }
}

import Foundation
import Testing
@testable import TrackingRuntime

@Suite("Configuration reference")
struct ConfigReferenceTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs")

    @Test("every key the loader accepts is documented", arguments: ConfigLoader.knownKeys)
    func documented(key: String) throws {
        let reference = try String(contentsOf: Self.docs.appendingPathComponent("configuration.md"), encoding: .utf8)
            + String(contentsOf: Self.docs.appendingPathComponent("policy.md"), encoding: .utf8)
        let name = String(key.split(separator: ".").last!)
        #expect(reference.contains("`\(name)`"), "docs/configuration.md or docs/policy.md does not document `\(name)` (\(key))")
    }

    @Test("the bundled config names every milter, log and tracking key")
    func bundled() throws {
        let root = Self.docs.deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("deploy/tracking-milter.yaml"), encoding: .utf8)
        for key in ConfigLoader.knownKeys where !key.hasPrefix("policy[") {
            let name = String(key.split(separator: ".").last!)
            #expect(text.contains("\(name):"), "deploy/tracking-milter.yaml lacks \(key)")
        }
    }
}

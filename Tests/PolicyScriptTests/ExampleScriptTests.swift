import Foundation
import PolicyScript
import Testing
import Tracking

@Suite("Policy script: the bundled example")
struct ExampleScriptTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/policy-example.lua").path

    @Test("deploy/policy-example.lua loads and does what its comments say")
    func example() throws {
        let script = try PolicyScript.load(path: Self.path)
        let input = PolicyScriptInput(
            sender: "news@shop.example", recipients: ["ann@partner.example"],
            headers: [
                HeaderField(name: "X-Campaign", value: Array("spring".utf8)),
                HeaderField(name: "List-Id", value: Array("Weekly \"news\" <weekly.shop.example>".utf8)),
            ],
            listener: "submission", clientAddress: "192.0.2.1", authName: "acme")
        let v = try script.evaluate(input, over: PolicyValues())
        #expect(v.campaignID == "spring")
        #expect(v.trackingDomain == "click.acme.example" && v.clickScheme == .https && v.openScheme == .https)
        #expect(v.clickTracking == false && v.openTracking == false)
        #expect(v.metadata == ["list": .string("weekly.shop.example")] && v.tags == ["newsletter"])
        let plain = try script.evaluate(PolicyScriptInput(recipients: ["b@example.com"]), over: PolicyValues())
        #expect(plain == PolicyValues())
    }
}

import PolicyScript
import Testing
import Tracking

/// What a script sees comes from messages: arbitrary header bytes (NUL, invalid UTF-8,
/// huge values, odd names) are data to it, and whatever it does with them ends in values
/// or in a PolicyScriptError, never in a crash.
@Suite("Policy script: message bytes")
struct MessageBytesTests {
    /// A small deterministic generator, so a failure can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    static let script = hook("""
        local M = msys.core.VCTX_MESS
        for _, name in ipairs({ "X-Campaign", "X-Tags", "X-Meta", "X-Domain", "X-Expiry" }) do
          for _, v in ipairs(msg:header(name)) do
            local ok = pcall(function()
              if name == "X-Campaign" then vctx:set(M, "smtpapi_campaign_id", v)
              elseif name == "X-Tags" then vctx:set(M, "smtpapi_tags", v)
              elseif name == "X-Meta" then vctx:set(M, "smtpapi_metadata", v)
              elseif name == "X-Domain" then vctx:set(M, "smtpapi_tracking_domain", v)
              else vctx:set(M, "smtpapi_tracking_link_expiry", v) end
            end)
            if not ok and #v % 7 == 0 then error("refusing " .. v) end
          end
        end
        """)

    @Test("random header values and names", arguments: 0..<8)
    func random(seed: UInt64) throws {
        let script = try load(Self.script)
        var generator = Generator(state: seed)
        let names = ["X-Campaign", "X-Tags", "X-Meta", "X-Domain", "X-Expiry", "x-campaign\0", "X-\u{FF}"]
        let pieces: [[UInt8]] = [[0], [0xFF, 0xFE], Array("[\"a\"]".utf8), Array("{\"k\":1}".utf8), Array("12".utf8),
                                 Array("t.example".utf8), [0x0D, 0x0A, 0x20], Array(repeating: 0x41, count: 70)]
        for _ in 0..<200 {
            var headers: [HeaderField] = []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                var value: [UInt8] = []
                for _ in 0..<Int.random(in: 0...4, using: &generator) {
                    if Bool.random(using: &generator), let piece = pieces.randomElement(using: &generator) {
                        value += piece
                    } else {
                        value.append(UInt8.random(in: 0...255, using: &generator))
                    }
                }
                headers.append(HeaderField(name: names.randomElement(using: &generator) ?? "X", value: value))
            }
            let input = PolicyScriptInput(recipients: ["r@example.com"], headers: headers)
            do {
                let values = try script.evaluate(input, over: PolicyValues())
                if let campaign = values.campaignID { #expect(campaign.utf8.count <= 64) }
            } catch {
                #expect(error.kind == .run)
                #expect(error.description.hasPrefix(scriptPath + ":"))
            }
        }
    }
}

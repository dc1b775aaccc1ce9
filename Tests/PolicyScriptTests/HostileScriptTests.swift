import Foundation
import Synchronization
import PolicyScript
import Testing
import Tracking

/// Scripts that try to escape or exhaust the sandbox: each is refused at load or contained
/// at run, with FILE:LINE, and the interpreter pool stays usable.
@Suite("Policy script: hostile scripts")
struct HostileScriptTests {
    static let small = PolicyScriptBudget(maxInstructions: 200_000, maxBytes: 4 << 20)

    @Test("an endless loop at run time stops at the instruction limit")
    func endlessLoop() throws {
        let script = try load(hook("while true do end"), budget: Self.small)
        let error = try #require(runError(script))
        #expect(error.kind == .instructionLimit)
        #expect(error.description.hasPrefix("\(scriptPath):4: instruction limit of 200000 per call exceeded"), "\(error)")
    }

    @Test("an endless loop at load time stops at the instruction limit")
    func endlessLoopAtLoad() throws {
        let error = try #require(loadError("local i = 0\nwhile true do i = i + 1 end\n", budget: Self.small))
        #expect(error.kind == .instructionLimit)
        #expect(error.description.hasPrefix("\(scriptPath):2: "), "\(error)")
    }

    @Test("pcall cannot swallow the instruction limit")
    func pcallLoop() throws {
        let script = try load(hook("""
            while true do pcall(function() while true do end end) end
            """), budget: Self.small)
        #expect(runError(script)?.kind == .instructionLimit)
        let nested = try load(hook("""
            while true do pcall(function() while true do pcall(function() while true do end end) end end) end
            """), budget: Self.small)
        #expect(runError(nested)?.kind == .instructionLimit)
    }

    @Test("the instruction budget is per call: a later call starts afresh")
    func perCall() throws {
        let script = try load(hook("""
            local n = 0
            for i = 1, 20000 do n = n + i end
            """), budget: Self.small)
        for _ in 0..<20 { #expect(runError(script) == nil) }
    }

    @Test("memory bombs stop at the memory limit", arguments: [
        "local s = string.rep(\"x\", 1 << 30)",
        "local t = {} for i = 1, 1e8 do t[i] = i end",
        "local s = \"x\" while true do s = s .. s end",
        "local t = {} for i = 1, 1e7 do t[#t + 1] = tostring(i) .. \"padding-padding-padding\" end",
    ])
    func memoryBomb(line: String) throws {
        let script = try load(hook(line), budget: PolicyScriptBudget(maxInstructions: 100_000_000, maxBytes: 4 << 20))
        let error = try #require(runError(script))
        #expect(error.kind == .memoryLimit, "\(error)")
        #expect(error.description.hasPrefix(scriptPath), "\(error)")
        #expect(error.description.contains("memory limit of 4194304 bytes exceeded"), "\(error)")
    }

    @Test("a memory bomb the script catches still ends at the instruction limit")
    func caughtMemoryBomb() throws {
        let script = try load(hook("while true do pcall(string.rep, \"x\", 1 << 30) end"), budget: Self.small)
        #expect(runError(script)?.kind == .instructionLimit)
    }

    @Test("no files, processes, modules, bytecode or debug", arguments: [
        ("os.execute(\"touch /tmp/tracking-milter-pwned\")", "os is not available in tracking-milter's policy sandbox"),
        ("io.open(\"/etc/passwd\")", "io is not available"),
        ("require(\"os\")", "only \"msys.core\" is available"),
        ("require(\"io\")", "only \"msys.core\" is available"),
        ("dofile(\"/etc/passwd\")", "dofile is not available"),
        ("loadfile(\"/etc/passwd\")", "loadfile is not available"),
        ("debug.getinfo(1)", "debug is not available"),
        ("package.loadlib(\"libc.so.6\", \"system\")", "package is not available"),
        ("print(\"hello\")", "print is not available"),
        ("collectgarbage(\"stop\")", "only collectgarbage(\"count\")"),
        ("load(\"\\27LuaT\\0\", \"x\", \"b\")", "only text chunks"),
        ("assert(load(\"\\27LuaT\\0\\25\\147\\r\\n\\26\\n\"))()", "attempt to load a binary chunk"),
        ("string.dump(function() end)", "attempt to call a nil value"),
        ("setmetatable({}, { __gc = function() while true do end end })", "__gc metamethods are not allowed"),
        ("coroutine.wrap(function() end)()", "coroutine is not available"),
        ("getmetatable(_G).__index = nil", "attempt to index a boolean value"),
        ("rawset(msg, \"header\", nil); msg:header(\"x\")", "msg:header is not supported"),
    ])
    func escapes(line: String, expected: String) throws {
        let script = try load(hook(line))
        let error = try #require(runError(script), "\(line) ran")
        #expect(error.kind == .run)
        #expect(error.description.hasPrefix("\(scriptPath):4:"), "\(error)")
        #expect(error.description.contains(expected), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/tracking-milter-pwned"))
    }

    @Test("the same calls at load time fail the load", arguments: [
        "os.execute(\"true\")", "io.open(\"/etc/passwd\")", "require(\"os\")", "load(string.dump(print))",
        "error(\"refused at load\")",
    ])
    func escapesAtLoad(line: String) throws {
        let error = try #require(loadError(line))
        #expect(error.kind == .load)
        #expect(error.description.hasPrefix("\(scriptPath):1: "), "\(error)")
    }

    @Test("text loaded at run time is sandboxed as well")
    func loadedText() throws {
        let script = try load(hook("""
            local f = assert(load("return os"))
            f()
            """))
        #expect(runError(script)?.description.contains("os is not available") == true)
    }

    @Test("an error at run time names the line; non-string errors are described")
    func errors() throws {
        let script = try load(hook("error(\"bad customer\")"))
        #expect(runError(script)?.description == "\(scriptPath):4: bad customer")
        let table = try load(hook("error({})"))
        #expect(runError(table)?.description == "\(scriptPath): (error object is a table value)")
        let long = try load(hook("error(string.rep(\"x\", 100000))"))
        #expect((runError(long)?.description.utf8.count ?? 0) < 1100)
    }

    @Test("after failures the pool goes on with fresh interpreters")
    func recovers() throws {
        let script = try load(hook("""
            if msg:rcptto() == "loop@example.com" then while true do end end
            if msg:rcptto() == "bomb@example.com" then local s = string.rep("x", 1 << 30) end
            vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", "ok")
            """), budget: Self.small)
        for recipient in ["loop@example.com", "ok@example.com", "bomb@example.com", "ok@example.com"] {
            let input = PolicyScriptInput(recipients: [recipient])
            switch recipient {
            case "loop@example.com": #expect(runError(script, input)?.kind == .instructionLimit)
            case "bomb@example.com": #expect(runError(script, input)?.kind == .memoryLimit)
            default: #expect(try script.evaluate(input, over: .init()).campaignID == "ok")
            }
        }
    }

    @Test("many threads at once each get an interpreter of their own")
    func concurrent() throws {
        let script = try load(hook("""
            local n = 0
            for i = 1, 1000 do n = n + 1 end
            vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", msg:rcptto() .. n)
            """))
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 400) { i in
            let input = PolicyScriptInput(recipients: ["r\(i)@example.com"])
            let ok = (try? script.evaluate(input, over: .init()).campaignID) == "r\(i)@example.com1000"
            if !ok { failures.withLock { $0 += 1 } }
        }
        #expect(failures.withLock { $0 } == 0)
    }
}

import CLua
import Tracking

/// One Lua state with the sandbox and the operator's script loaded and its hooks found.
/// A state is single-threaded: the pool hands each one to one evaluation at a time, which
/// is what makes the unchecked Sendable sound.
final class LuaInterpreter: @unchecked Sendable {
    private let L: OpaquePointer
    private let script: ScriptSource
    /// Lua's name for the script in messages: the path, shortened when it is long.
    private let shortSource: String
    private let dispatchReference: lua_Integer
    /// How many `validate_data_spool` and `validate_data_spool_each_rcpt` hooks the
    /// registered modules define.
    private let spoolHooks: Int
    private let recipientHooks: Int
    private let checked = CheckedValues()

    private init(_ L: OpaquePointer, _ script: ScriptSource, _ loaded: Loaded) {
        self.L = L
        self.script = script
        shortSource = loaded.shortSource
        dispatchReference = loaded.dispatch
        spoolHooks = loaded.spoolHooks
        recipientHooks = loaded.recipientHooks
    }

    deinit { clua_close(L) }

    /// A fresh interpreter: libraries, sandbox, the script's top level, its hooks.
    static func make(_ script: ScriptSource, budget: PolicyScriptBudget) throws(PolicyScriptError) -> LuaInterpreter {
        guard let L = clua_newstate(budget.maxBytes, Int64(budget.maxInstructions), Int32(clamping: budget.hookInterval)) else {
            throw PolicyScriptError(.load, "\(script.path): cannot start a Lua interpreter: out of memory")
        }
        do {
            return LuaInterpreter(L, script, try load(L, script))
        } catch {
            clua_close(L)
            throw error
        }
    }

    private struct Loaded {
        var shortSource: String
        var dispatch: lua_Integer
        var spoolHooks: Int
        var recipientHooks: Int
    }

    private static func load(_ L: OpaquePointer, _ script: ScriptSource) throws(PolicyScriptError) -> Loaded {
        defer { lua_settop(L, 0) }
        // The sandbox is trusted code: it runs outside the budget, and failing is a bug.
        guard clua_open_sandbox_libraries(L) == clua_ok() else { throw internalError(L, script, "cannot open the Lua libraries") }
        var status = SandboxPrelude.text.utf8CString.withUnsafeBufferPointer { text in
            luaL_loadbufferx(L, text.baseAddress, text.count - 1, SandboxPrelude.chunkName, "t")
        }
        guard status == clua_ok() else { throw internalError(L, script, "the sandbox does not compile") }
        lua_rotate(L, -2, 1)
        lua_createtable(L, 0, Int32(hostFunctions.count))
        for (name, function) in hostFunctions {
            clua_push_host_function(L, function)
            lua_setfield(L, -2, name)
        }
        guard lua_pcallk(L, 2, 3, 0, 0, nil) == clua_ok() else { throw internalError(L, script, "the sandbox does not start") }
        // Stack: finish, dispatch, source_of.
        let chunkName = "@" + script.path
        lua_pushvalue(L, 3)
        guard luaL_loadbufferx(L, "", 0, chunkName, "t") == clua_ok(), lua_pcallk(L, 1, 1, 0, 0, nil) == clua_ok(),
              let shortSource = LuaStack.text(L, -1)
        else { throw internalError(L, script, "cannot name the script") }
        lua_settop(L, 2)
        let dispatch = lua_Integer(luaL_ref(L, clua_registry_index()))
        let located = Locator(path: script.path, shortSource: shortSource)

        clua_begin(L, nil)
        defer { clua_end(L) }
        status = script.bytes.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { text in clua_guest_load(L, text.baseAddress, text.count, chunkName) }
        }
        guard status == clua_ok() else { throw located.failure(L, status: status, during: .load) }
        status = clua_guest_pcall(L, 0, 0)
        guard status == clua_ok() else { throw located.failure(L, status: status, during: .load) }
        // Stack: finish. It checks the registered modules and counts their hooks.
        clua_begin(L, nil)
        status = clua_guest_pcall(L, 0, 2)
        guard status == clua_ok() else { throw located.failure(L, status: status, during: .load) }
        var isNumber: Int32 = 0
        let spool = lua_tointegerx(L, -2, &isNumber)
        let recipient = lua_tointegerx(L, -1, &isNumber)
        return Loaded(shortSource: shortSource, dispatch: dispatch, spoolHooks: Int(spool), recipientHooks: Int(recipient))
    }

    private static func internalError(_ L: OpaquePointer, _ script: ScriptSource, _ what: String) -> PolicyScriptError {
        let detail = lua_gettop(L) > 0 ? LuaStack.errorMessage(L, -1) : ""
        return PolicyScriptError(.load, "\(script.path): \(what) (\(detail)); this is a tracking-milter bug, please report it")
    }

    /// The context variables after the script's hooks for one message: `validate_data_spool`
    /// once, then `validate_data_spool_each_rcpt` per recipient, each starting from `base`.
    func evaluate(_ input: PolicyScriptInput, over base: PolicyValues) throws(PolicyScriptError) -> PolicyValues {
        var start = base
        var texts: [String: String] = [:]
        if spoolHooks > 0 {
            let call = ScriptCall(input: input, values: base, checked: checked)
            call.recipient = input.recipients.first
            try run(phase: SandboxPrelude.spoolPhase, call)
            start = call.values
            texts = call.texts
        }
        guard recipientHooks > 0 else { return start }
        let recipients: [String?] = input.recipients.isEmpty ? [nil] : input.recipients
        var results: [PolicyValues] = []
        results.reserveCapacity(recipients.count)
        for recipient in recipients {
            let call = ScriptCall(input: input, values: start, texts: texts, checked: checked)
            call.recipient = recipient
            try run(phase: SandboxPrelude.eachRecipientPhase, call)
            results.append(call.values)
        }
        return PolicyValues.agreed(results, else: start)
    }

    private func run(phase: Int64, _ call: ScriptCall) throws(PolicyScriptError) {
        try withExtendedLifetime(call) { () throws(PolicyScriptError) in
            clua_begin(L, Unmanaged.passUnretained(call).toOpaque())
            defer {
                clua_end(L)
                lua_settop(L, 0)
            }
            lua_rawgeti(L, clua_registry_index(), dispatchReference)
            lua_pushinteger(L, phase)
            let status = clua_guest_pcall(L, 1, 0)
            guard status == clua_ok() else {
                throw Locator(path: script.path, shortSource: shortSource).failure(L, status: status, during: .run)
            }
        }
    }
}

/// The operator's script as read from its file.
struct ScriptSource: Sendable {
    let path: String
    let bytes: [UInt8]
}

/// Turns what Lua reports into `FILE:LINE: message` with the full path.
private struct Locator {
    let path: String
    let shortSource: String

    static let maxMessageBytes = 1000

    func failure(_ L: OpaquePointer, status: Int32, during kind: PolicyScriptError.Kind) -> PolicyScriptError {
        switch clua_overrun(L) {
        case CLUA_OVERRUN_INSTRUCTIONS:
            return PolicyScriptError(.instructionLimit, located(LuaStack.errorMessage(L, -1)))
        case CLUA_OVERRUN_MEMORY where status == LUA_ERRMEM:
            // Lua reports running out without a place; the hook's last line is near it.
            let line = clua_last_line(L)
            let place = line > 0 ? "\(path):\(line)" : path
            return PolicyScriptError(.memoryLimit, "\(place): memory limit of \(clua_max_bytes(L)) bytes exceeded")
        case CLUA_OVERRUN_MEMORY:
            return PolicyScriptError(.memoryLimit, located(LuaStack.errorMessage(L, -1)))
        default:
            return PolicyScriptError(kind, located(LuaStack.errorMessage(L, -1)))
        }
    }

    private func located(_ message: String) -> String {
        var text = message
        if text.utf8.count > Self.maxMessageBytes { text = String(decoding: text.utf8.prefix(Self.maxMessageBytes), as: UTF8.self) + "…" }
        if text.hasPrefix(path + ":") { return text }
        if shortSource != path, text.hasPrefix(shortSource + ":") { return path + text.dropFirst(shortSource.count) }
        return "\(path): \(text)"
    }
}

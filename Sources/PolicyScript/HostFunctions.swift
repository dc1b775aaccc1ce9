import CLua
import Tracking

// The Swift side of `msg`, `accept` and `vctx`. Each is a plain global function (a C
// callback cannot be a closure) called through the shim's trampoline: it never raises a
// Lua error itself, it returns -1 with the message on the stack and the trampoline raises
// it, prefixed with the script's FILE:LINE, after this frame has returned.

/// The functions the prelude turns into methods, by the name it expects.
let hostFunctions: [(name: String, function: lua_CFunction)] = [
    ("header", hostHeader), ("mailfrom", hostMailFrom), ("rcptto", hostRcptTo),
    ("remote_address", hostRemoteAddress), ("listener", hostListener), ("auth_user", hostAuthUser),
    ("vctx_get", hostContextGet), ("vctx_set", hostContextSet),
]

/// Pushes `message` for the trampoline to raise; the value a host function returns then.
private func raise(_ L: OpaquePointer, _ message: String) -> Int32 {
    LuaStack.push(L, message)
    return -1
}

/// The call in progress, or nil at load time (the objects exist only for hooks).
private func currentCall(_ L: OpaquePointer) -> ScriptCall? {
    guard let context = clua_call_context(L) else { return nil }
    return Unmanaged<ScriptCall>.fromOpaque(context).takeUnretainedValue()
}

/// Methods are called as `msg:header(x)` or, as in some Momentum scripts, `msg.header(x)`:
/// the object (a table) is skipped, since no method takes a table.
private func firstArgument(_ L: OpaquePointer) -> Int32 {
    lua_type(L, 1) == LUA_TTABLE ? 2 : 1
}

private func arguments(_ L: OpaquePointer) -> Int32 {
    lua_gettop(L) - firstArgument(L) + 1
}

private func outsideHook(_ L: OpaquePointer, _ method: String) -> Int32 {
    raise(L, "\(method) is only available while a hook runs, not when the script loads")
}

private func hostHeader(_ state: OpaquePointer?) -> Int32 {
    guard let L = state else { return 0 }
    guard let call = currentCall(L) else { return outsideHook(L, "msg:header") }
    let first = firstArgument(L)
    guard arguments(L) == 1 else {
        return raise(L, "msg:header(name) takes one header name; tracking-milter never changes headers, so msg:header(name, value) is not supported")
    }
    guard let name = LuaStack.bytes(L, first) else {
        return raise(L, "msg:header(name): name must be a string, got a \(LuaStack.typeName(L, first))")
    }
    let values = call.headerValues(named: name)
    lua_createtable(L, Int32(clamping: values.count), 0)
    for (index, value) in values.enumerated() {
        LuaStack.push(L, bytes: value)
        lua_rawseti(L, -2, lua_Integer(index + 1))
    }
    return 1
}

/// A read-only envelope or connection value: `msg:mailfrom()` and the like.
private func readOnly(_ state: OpaquePointer?, _ method: String, _ value: (ScriptCall) -> String?) -> Int32 {
    guard let L = state else { return 0 }
    guard let call = currentCall(L) else { return outsideHook(L, method) }
    guard arguments(L) == 0 else {
        return raise(L, "\(method)() takes no argument; tracking-milter cannot change the envelope or the connection")
    }
    LuaStack.push(L, value(call))
    return 1
}

private func hostMailFrom(_ state: OpaquePointer?) -> Int32 { readOnly(state, "msg:mailfrom") { $0.input.sender } }
private func hostRcptTo(_ state: OpaquePointer?) -> Int32 { readOnly(state, "msg:rcptto") { $0.recipient } }
private func hostRemoteAddress(_ state: OpaquePointer?) -> Int32 {
    readOnly(state, "accept:remote_address") { $0.input.clientAddress }
}
private func hostListener(_ state: OpaquePointer?) -> Int32 { readOnly(state, "accept:listener") { $0.input.listener } }
private func hostAuthUser(_ state: OpaquePointer?) -> Int32 { readOnly(state, "accept:auth_user") { $0.input.authName } }

/// The scope argument: msys.core.VCTX_MESS or VCTX_CONN. Both hold the same variables here,
/// for this message only.
private func checkScope(_ L: OpaquePointer, _ index: Int32, _ method: String) -> String? {
    var isInteger: Int32 = 0
    let scope = lua_tointegerx(L, index, &isInteger)
    guard isInteger != 0, scope == lua_Integer(SandboxPrelude.messageScope) || scope == lua_Integer(SandboxPrelude.connectionScope) else {
        return "\(method): the first argument must be msys.core.VCTX_MESS or msys.core.VCTX_CONN"
    }
    return nil
}

private func hostContextGet(_ state: OpaquePointer?) -> Int32 {
    guard let L = state else { return 0 }
    guard let call = currentCall(L) else { return outsideHook(L, "vctx:get") }
    let first = firstArgument(L)
    guard arguments(L) == 2 else { return raise(L, "vctx:get(scope, name) takes a scope and a variable name") }
    if let problem = checkScope(L, first, "vctx:get") { return raise(L, problem) }
    guard let name = LuaStack.text(L, first + 1) else {
        return raise(L, "vctx:get(scope, name): name must be a string, got a \(LuaStack.typeName(L, first + 1))")
    }
    do {
        LuaStack.push(L, try call.get(name))
        return 1
    } catch {
        return raise(L, "vctx:get: \(error.description)")
    }
}

private func hostContextSet(_ state: OpaquePointer?) -> Int32 {
    guard let L = state else { return 0 }
    guard let call = currentCall(L) else { return outsideHook(L, "vctx:set") }
    let first = firstArgument(L)
    guard arguments(L) == 3 else { return raise(L, "vctx:set(scope, name, value) takes a scope, a variable name and a value") }
    if let problem = checkScope(L, first, "vctx:set") { return raise(L, problem) }
    guard let name = LuaStack.text(L, first + 1) else {
        return raise(L, "vctx:set(scope, name, value): name must be a string, got a \(LuaStack.typeName(L, first + 1))")
    }
    // Context variables are strings in Momentum; a number is taken as its text.
    guard let value = LuaStack.text(L, first + 2) else {
        return raise(L, "vctx:set: the value of \(name) must be a string, got a \(LuaStack.typeName(L, first + 2))")
    }
    do {
        try call.set(name, to: value)
        return 0
    } catch {
        return raise(L, "vctx:set: \(error.description)")
    }
}

/// The trusted Lua that runs in every interpreter before the operator's script: it takes
/// away what a policy must not reach (files, processes, bytecode, finalizers), builds the
/// Momentum-shaped `msys`, `msg`, `accept` and `vctx`, and returns the two entry points
/// the engine calls (`finish` after the script loaded, `dispatch` per message).
///
/// It receives the debug library (kept only as `getinfo`, for FILE:LINE in messages) and
/// the table of host functions; neither is ever reachable from the script.
enum SandboxPrelude {
    static let chunkName = "=tracking-milter sandbox"

    /// `dispatch`'s phases.
    static let spoolPhase: Int64 = 1
    static let eachRecipientPhase: Int64 = 2
    /// msys.core.VCTX_MESS and VCTX_CONN.
    static let messageScope: Int64 = 1
    static let connectionScope: Int64 = 2

    static let text = #"""
local debug, host = ...
local getinfo = debug.getinfo
local G = _G
local error, type, tostring, rawget, rawset, next, ipairs = error, type, tostring, rawget, rawset, next, ipairs
local format, find = string.format, string.find
local rawsetmetatable, rawload, rawcollect = setmetatable, load, collectgarbage

local CONT, DONE = 0, 1
local MESS, CONN = 1, 2

-- "FILE:LINE" of the code `level` calls above the caller.
local function where(level)
  local info = getinfo(level + 1, "Sl")
  if info and info.currentline and info.currentline > 0 then
    return info.short_src .. ":" .. info.currentline
  end
  return "?"
end

-- What a Momentum script may reach for and why it is not here.
local unavailable = {
  io = "there are no files",
  os = "there are no processes, files or environment",
  debug = "the debug library could leave the sandbox",
  package = "modules are not loaded from files",
  coroutine = "coroutines are not offered",
  dofile = "no files are loaded",
  loadfile = "no files are loaded",
  print = "the milter has no console; use error() to stop with a message",
  warn = "the milter has no console; use error() to stop with a message",
}
for name in next, unavailable do rawset(G, name, nil) end
G.string.dump = nil

rawsetmetatable(G, {
  __index = function(_, name)
    local why = unavailable[name]
    if why then
      error(format("%s is not available in tracking-milter's policy sandbox: %s (see docs/policy.md)", tostring(name), why), 2)
    end
    return nil
  end,
  __metatable = false,
})

G.load = function(chunk, chunkname, mode, ...)
  if mode ~= nil and mode ~= "t" then
    error("load: only text chunks (mode \"t\") are allowed in the policy sandbox, never bytecode", 2)
  end
  return rawload(chunk, chunkname, "t", ...)
end

G.collectgarbage = function(option)
  if option == "count" then return rawcollect("count") end
  error(format("collectgarbage(%s) is not available in the policy sandbox; only collectgarbage(\"count\") is", tostring(option)), 2)
end

-- Finalizers run with hooks off, outside the instruction limit: refuse them.
G.setmetatable = function(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc metamethods are not allowed in the policy sandbox (finalizers escape the instruction limit)", 2)
  end
  return rawsetmetatable(t, mt)
end

local function strict(name, t, offered)
  return rawsetmetatable(t, {
    __index = function(_, key)
      error(format("%s.%s is not supported by tracking-milter (it offers %s; see docs/policy.md)", name, tostring(key), offered), 2)
    end,
    __metatable = false,
  })
end

local core = strict("msys.core", {
  VCTX_MESS = MESS, VCTX_CONN = CONN, ECMESS_CTX_MESS = MESS, ECMESS_CTX_CONN = CONN,
  VALIDATE_CONT = CONT, VALIDATE_DONE = DONE,
}, "VCTX_MESS, VCTX_CONN, ECMESS_CTX_MESS, ECMESS_CTX_CONN, VALIDATE_CONT and VALIDATE_DONE")

local modules = {}
G.msys = strict("msys", {
  core = core,
  registerModule = function(name, mod)
    if type(name) ~= "string" then error("msys.registerModule(name, mod): name must be a string", 2) end
    if type(mod) ~= "table" then error("msys.registerModule(name, mod): mod must be a table of hook functions", 2) end
    modules[#modules + 1] = { name = name, mod = mod, where = where(2) }
  end,
}, "msys.core and msys.registerModule")

G.require = function(name)
  if name == "msys.core" then return core end
  if name == "msys.extended.message" or name == "msys.extended.vctx" then
    error(format("require(%q): not needed in tracking-milter, msg and vctx methods are built in; remove this line", name), 2)
  end
  error(format("require(%q): only \"msys.core\" is available in tracking-milter's policy sandbox (no files are loaded)", tostring(name)), 2)
end

local function object(name, methods, offered)
  return rawsetmetatable(methods, {
    __index = function(_, key)
      error(format("%s:%s is not supported by tracking-milter (it offers %s; see docs/policy.md)", name, tostring(key), offered), 2)
    end,
    __newindex = function() error(name .. " is read-only", 2) end,
    __metatable = false,
  })
end

local msg = object("msg", {
  header = host.header, mailfrom = host.mailfrom, rcptto = host.rcptto,
  context_get = host.vctx_get, context_set = host.vctx_set,
}, "header, mailfrom, rcptto, context_get and context_set")
local accept = object("accept", {
  remote_address = host.remote_address, listener = host.listener, auth_user = host.auth_user,
}, "remote_address, listener and auth_user")
local vctx = object("vctx", { get = host.vctx_get, set = host.vctx_set }, "get and set")

-- Momentum's hook names: a module defining one tracking-milter never calls is an error,
-- not a silent no-op. Other functions in a module are the script's own helpers.
local supported = { validate_data_spool = 1, validate_data_spool_each_rcpt = 2 }
local function momentum_hook(key)
  return type(key) == "string"
    and (find(key, "^validate_") or find(key, "^core_") or find(key, "^pre_") or find(key, "^post_") or key == "init")
end

local lists = { {}, {} }

-- After the script ran: every registered module's hooks, in registration order.
local function finish()
  if #modules == 0 then
    error("the script registers no module: end it with msys.registerModule(\"name\", mod), where mod:validate_data_spool_each_rcpt(msg, accept, vctx) sets the context variables", 0)
  end
  for _, m in ipairs(modules) do
    local key = next(m.mod)
    while key ~= nil do
      if momentum_hook(key) and not supported[key] then
        error(format("%s: module %q defines %s, a hook tracking-milter never calls; it runs only validate_data_spool and validate_data_spool_each_rcpt (see docs/policy.md)", m.where, m.name, key), 0)
      end
      key = next(m.mod, key)
    end
    local found = false
    for _, hook in ipairs({ "validate_data_spool", "validate_data_spool_each_rcpt" }) do
      local fn = m.mod[hook]
      if fn ~= nil then
        if type(fn) ~= "function" then
          error(format("%s: module %q: %s must be a function, not a %s", m.where, m.name, hook, type(fn)), 0)
        end
        local info = getinfo(fn, "S")
        local list = lists[supported[hook]]
        list[#list + 1] = { mod = m.mod, fn = fn, hook = hook, where = info.short_src .. ":" .. info.linedefined }
        found = true
      end
    end
    if not found then
      error(format("%s: module %q has neither validate_data_spool_each_rcpt nor validate_data_spool, so tracking-milter would never call it", m.where, m.name), 0)
    end
  end
  return #lists[1], #lists[2]
end

local function dispatch(phase)
  local list = lists[phase]
  for i = 1, #list do
    local h = list[i]
    local result = h.fn(h.mod, msg, accept, vctx)
    if result == DONE then return end
    if result ~= nil and result ~= CONT then
      local shown = type(result) == "number" and tostring(result) or ("a " .. type(result))
      error(format("%s: %s returned %s; return msys.core.VALIDATE_CONT or msys.core.VALIDATE_DONE", h.where, h.hook, shown), 0)
    end
  end
end

local function source_of(fn) return getinfo(fn, "S").short_src end

return finish, dispatch, source_of
"""#
}

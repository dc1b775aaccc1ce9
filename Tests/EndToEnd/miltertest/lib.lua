-- Shared helpers for the e2e miltertest scripts.
-- Load with:  local e2e = dofile(libdir .. "/lib.lua")
--
-- Traps this works around (see /work/shared/MTA-LAB.md):
--  * a step the milter negotiated away (SMFIP_NO*) must not be sent, or
--    miltertest raises an error: every step checks mt.test_option first;
--  * MAIL-stage macros must follow an explicit mt.helo, or the implicit HELO
--    that miltertest inserts wipes them: helo is sent explicitly;
--  * a Lua error() ends miltertest with exit 1 and no output: scripts call
--    e2e.main(fn), which runs fn under pcall and prints PASS or FAIL: <why>.
--  * mt.eom_check(MT_SMTPREPLY, code, esc, text) compares the whole reply
--    string ("550 5.6.0 text"); a prefix does not match.

local M = {}

local REPLY_NAMES = {
  "SMFIR_CONTINUE", "SMFIR_ACCEPT", "SMFIR_REJECT", "SMFIR_TEMPFAIL",
  "SMFIR_DISCARD", "SMFIR_REPLYCODE", "SMFIR_SKIP",
}

function M.reply_name(r)
  if r == nil then return "nil" end
  for _, n in ipairs(REPLY_NAMES) do
    if _G[n] ~= nil and _G[n] == r then return n end
  end
  local ok, ch = pcall(string.char, math.tointeger(r) or 0)
  return tostring(r) .. " ('" .. (ok and ch or "?") .. "')"
end

function M.fail(msg)
  error("FAIL: " .. msg, 0)
end

function M.check(cond, msg)
  if not cond then M.fail(msg) end
end

function M.info(msg)
  print("INFO: " .. msg)
end

-- A global passed with -D, or a default.
function M.arg(name, default)
  local v = _G[name]
  if v == nil then return default end
  return v
end

-- Run fn(); print PASS, or FAIL and exit 1. Everything that can raise goes in fn.
function M.main(fn)
  local ok, err = pcall(fn)
  if ok then
    print("PASS")
    os.exit(0)
  end
  local text = tostring(err)
  if not text:find("^FAIL: ") then text = "FAIL: " .. text end
  print(text)
  os.exit(1)
end

-- nil on success, else the error string the mt.* call returned.
local function step(what, err)
  if err ~= nil then M.fail(what .. " failed: " .. tostring(err)) end
end

function M.connect(spec)
  M.check(spec ~= nil, "no socket given (-D socket=SPEC)")
  -- retry for up to ~10 s (-D connect_tries=N to change)
  local conn = mt.connect(spec, tonumber(M.arg("connect_tries", "40")), 0.25)
  M.check(conn ~= nil, "mt.connect(" .. spec .. ") failed")
  step("mt.negotiate", mt.negotiate(conn, nil, nil, nil))
  return conn
end

local function is_final(r)
  return r == SMFIR_ACCEPT or r == SMFIR_REJECT or r == SMFIR_TEMPFAIL
      or r == SMFIR_DISCARD or r == SMFIR_REPLYCODE
end

local function negotiated_away(conn, opt)
  return opt ~= nil and mt.test_option(conn, opt)
end

-- Split CRLF text into chunks below libmilter's 64 KB packet limit.
local function chunks(s, size)
  local out = {}
  local i = 1
  while i <= #s do
    out[#out + 1] = s:sub(i, i + size - 1)
    i = i + size
  end
  return out
end

-- One SMTP transaction as Postfix would present it.
-- o: { client_host, client_ip, daemon_name, helo, queue_id, sender, rcpts = {..},
--      auth_authen, headers = { {name, value}, ... }, body }
-- Returns { stage = "connect"|"helo"|"mail"|"rcpt"|"data"|"header"|"eoh"|"body"|"eom",
--           reply = <SMFIR_*> } where stage is where a final reply arrived
-- (or "eom" when the transaction ran to the end).
function M.transaction(conn, o)
  local function done(stage) return { stage = stage, reply = mt.getreply(conn) } end

  step("mt.macro(CONNECT)", mt.macro(conn, SMFIC_CONNECT,
    "j", "mta.test.localdomain",
    "{daemon_name}", o.daemon_name or "smtpd",
    "{client_addr}", o.client_ip or "127.0.0.1"))
  if not negotiated_away(conn, SMFIP_NOCONNECT) then
    step("mt.conninfo", mt.conninfo(conn, o.client_host or "localhost", o.client_ip or "127.0.0.1"))
    if is_final(mt.getreply(conn)) then return done("connect") end
  end

  if not negotiated_away(conn, SMFIP_NOHELO) then
    step("mt.helo", mt.helo(conn, o.helo or "client.e2e.test"))
    if is_final(mt.getreply(conn)) then return done("helo") end
  end

  local sender = o.sender or "sender@example.com"
  local mail_macros = { "i", o.queue_id or "E2EQUEUEID", "{mail_addr}", sender }
  if o.auth_authen ~= nil and o.auth_authen ~= "" then
    mail_macros[#mail_macros + 1] = "{auth_authen}"
    mail_macros[#mail_macros + 1] = o.auth_authen
  end
  step("mt.macro(MAIL)", mt.macro(conn, SMFIC_MAIL, table.unpack(mail_macros)))
  if not negotiated_away(conn, SMFIP_NOMAIL) then
    step("mt.mailfrom", mt.mailfrom(conn, "<" .. sender .. ">"))
    if is_final(mt.getreply(conn)) then return done("mail") end
  end

  for _, rcpt in ipairs(o.rcpts or { "rcpt@example.com" }) do
    step("mt.macro(RCPT)", mt.macro(conn, SMFIC_RCPT, "{rcpt_addr}", rcpt))
    if not negotiated_away(conn, SMFIP_NORCPT) then
      step("mt.rcptto", mt.rcptto(conn, "<" .. rcpt .. ">"))
      local r = mt.getreply(conn)
      if r ~= SMFIR_CONTINUE then return done("rcpt") end
    end
  end

  if not negotiated_away(conn, SMFIP_NODATA) then
    step("mt.data", mt.data(conn))
    if is_final(mt.getreply(conn)) then return done("data") end
  end

  if not negotiated_away(conn, SMFIP_NOHDRS) then
    local lead = negotiated_away(conn, SMFIP_HDR_LEADSPC) and " " or ""
    for _, h in ipairs(o.headers or {}) do
      step("mt.header(" .. h[1] .. ")", mt.header(conn, h[1], lead .. h[2]))
      if is_final(mt.getreply(conn)) then return done("header") end
    end
  end

  if not negotiated_away(conn, SMFIP_NOEOH) then
    step("mt.eoh", mt.eoh(conn))
    if is_final(mt.getreply(conn)) then return done("eoh") end
  end

  if not negotiated_away(conn, SMFIP_NOBODY) then
    for _, c in ipairs(chunks(o.body or "Hello.\r\n", 60000)) do
      step("mt.bodystring", mt.bodystring(conn, c))
      local r = mt.getreply(conn)
      if is_final(r) then return done("body") end
      if r == SMFIR_SKIP then break end
    end
  end

  step("mt.eom", mt.eom(conn))
  return done("eom")
end

-- Did the milter ask to delete header `name` at end of message? Postfix
-- matches header names case-insensitively, so accept the usual spellings.
function M.header_deleted(conn, name)
  local tried = {}
  for _, n in ipairs({ name, name:lower(), name:upper() }) do
    if not tried[n] then
      tried[n] = true
      if mt.eom_check(conn, MT_HDRDELETE, n) then return true, n end
    end
  end
  return false
end

-- "550 5.6.0 some text" -> "550", "5.6.0", "some text" (esc nil when absent)
function M.split_reply(text)
  local code, esc, rest = text:match("^(%d%d%d) (%d%.%d+%.%d+) (.*)$")
  if code == nil then
    code, rest = text:match("^(%d%d%d) (.*)$")
  end
  return code, esc, rest
end

-- Headers for a test message: From, To, Subject, Message-ID, MIME, plus extras.
function M.headers(o, extra)
  local h = {
    { "From", "Sender <" .. (o.sender or "sender@example.com") .. ">" },
    { "To", "<" .. ((o.rcpts or { "rcpt@example.com" })[1]) .. ">" },
    { "Subject", o.subject or "miltertest e2e" },
    { "Date", "Tue, 25 Nov 2025 12:00:00 +0000" },
    { "Message-ID", o.message_id or "<miltertest@e2e.test>" },
    { "MIME-Version", "1.0" },
    { "Content-Type", o.content_type or "text/plain; charset=us-ascii" },
  }
  for _, x in ipairs(extra or {}) do h[#h + 1] = x end
  return h
end

-- The transaction options every script takes from -D globals.
function M.options_from_args()
  local rcpt = M.arg("rcpt", "rcpt@example.com")
  return {
    queue_id = M.arg("queue_id", "E2EQUEUEID"),
    sender = M.arg("sender", "sender@example.com"),
    rcpts = { rcpt },
    message_id = M.arg("message_id", "<miltertest@e2e.test>"),
    daemon_name = M.arg("daemon_name", "smtpd"),
    auth_authen = M.arg("auth_authen", nil),
    content_type = M.arg("content_type", nil),
    body = M.arg("body", "Hello from miltertest.\r\nSecond line.\r\n"),
  }
end

return M

-- A message whose X-MSYS-API header is invalid: the milter answers end of
-- message with a reply code; with -D reply="550 5.6.0 text" that exact reply.
-- (mt.eom_check(MT_SMTPREPLY, ...) compares the whole "code esc text" string.)
-- -D socket=SPEC -D libdir=DIR -D api=VALUE [-D reply=TEXT -D queue_id= ...]
local ok, e2e = pcall(dofile, tostring(libdir) .. "/lib.lua")
if not ok then print("FAIL: cannot load lib.lua: " .. tostring(e2e)); os.exit(1) end

e2e.main(function()
  local api = e2e.arg("api", nil)
  e2e.check(api ~= nil, "missing -D api=<X-MSYS-API value>")
  local o = e2e.options_from_args()
  o.headers = e2e.headers(o, { { "X-MSYS-API", api } })

  local conn = e2e.connect(socket)
  local res = e2e.transaction(conn, o)
  e2e.check(res.reply == SMFIR_REPLYCODE, "expected a reply code at end of message, got "
    .. e2e.reply_name(res.reply) .. " at " .. res.stage)
  e2e.check(res.stage == "eom", "rejected at " .. res.stage
    .. "; invalid header data is rejected at end of data (SPEC 2.2)")

  local want = e2e.arg("reply", nil)
  if want ~= nil then
    local code, esc, text = e2e.split_reply(want)
    -- miltertest formats a missing esc/text as "(null)": give all three parts
    e2e.check(code ~= nil and esc ~= nil and text ~= nil,
      "-D reply must look like '550 5.6.0 text', got: " .. want)
    e2e.check(mt.eom_check(conn, MT_SMTPREPLY, code, esc, text),
      "reply is not exactly '" .. want .. "'")
    e2e.info("reply matched: " .. want)
  end
  e2e.check(not mt.eom_check(conn, MT_BODYCHANGE), "body replaced on a rejected message")
  mt.disconnect(conn)
end)

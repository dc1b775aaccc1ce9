-- A message without X-MSYS-API, tracking off in the config: the milter
-- accepts (at any stage) and, if it saw end of message, changes nothing:
-- no header deleted, added or changed, body not replaced, no reply code.
-- -D socket=SPEC -D libdir=DIR [-D body= -D content_type= -D queue_id= ...]
local ok, e2e = pcall(dofile, tostring(libdir) .. "/lib.lua")
if not ok then print("FAIL: cannot load lib.lua: " .. tostring(e2e)); os.exit(1) end

e2e.main(function()
  local o = e2e.options_from_args()
  o.headers = e2e.headers(o, {})

  local conn = e2e.connect(socket)
  local res = e2e.transaction(conn, o)
  e2e.check(res.reply == SMFIR_ACCEPT or res.reply == SMFIR_CONTINUE,
    "replied " .. e2e.reply_name(res.reply) .. " at " .. res.stage .. ", expected accept/continue")
  if res.stage == "eom" then
    e2e.check(not mt.eom_check(conn, MT_BODYCHANGE), "body was replaced")
    e2e.check(not mt.eom_check(conn, MT_HDRDELETE), "a header was deleted")
    e2e.check(not mt.eom_check(conn, MT_HDRADD), "a header was added")
    e2e.check(not mt.eom_check(conn, MT_HDRCHANGE), "a header was changed")
  else
    e2e.info("accepted early, at " .. res.stage)
  end
  mt.disconnect(conn)
end)

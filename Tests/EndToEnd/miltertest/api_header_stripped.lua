-- A message with a valid X-MSYS-API header, tracking off in the config:
-- the milter reaches end of message, accepts, deletes X-MSYS-API and leaves
-- the body alone (no MT_BODYCHANGE) and adds no reply code.
-- -D socket=SPEC -D libdir=DIR -D api=JSON [-D queue_id= -D message_id=
--    -D sender= -D rcpt= -D body= -D content_type=]
local ok, e2e = pcall(dofile, tostring(libdir) .. "/lib.lua")
if not ok then print("FAIL: cannot load lib.lua: " .. tostring(e2e)); os.exit(1) end

e2e.main(function()
  local api = e2e.arg("api", nil)
  e2e.check(api ~= nil, "missing -D api=<X-MSYS-API value>")
  local o = e2e.options_from_args()
  o.headers = e2e.headers(o, { { "X-MSYS-API", api } })

  local conn = e2e.connect(socket)
  local res = e2e.transaction(conn, o)
  e2e.check(res.stage == "eom", "final reply " .. e2e.reply_name(res.reply) .. " at "
    .. res.stage .. ", before end of message (the header cannot be removed then)")
  e2e.check(res.reply == SMFIR_ACCEPT or res.reply == SMFIR_CONTINUE,
    "end of message replied " .. e2e.reply_name(res.reply) .. ", expected accept/continue")

  local deleted, spelled = e2e.header_deleted(conn, "X-MSYS-API")
  e2e.check(deleted, "X-MSYS-API was not deleted (no MT_HDRDELETE)")
  e2e.info("X-MSYS-API deleted (header name sent as '" .. spelled .. "')")
  e2e.check(not mt.eom_check(conn, MT_BODYCHANGE), "body was replaced although tracking is off")
  e2e.check(not mt.eom_check(conn, MT_HDRADD, "X-MSYS-API"), "X-MSYS-API was added back")
  mt.disconnect(conn)
end)

-- An example policy script for tracking-milter (policy_script: in the configuration).
-- It is written as a Momentum policy script is, and runs for every recipient after the
-- policy: rules. What is available is listed in docs/policy.md.
require("msys.core")

local M, C = msys.core.VCTX_MESS, msys.core.VCTX_CONN

-- Customers with their own tracking domain (the SMTP AUTH name, or what a rule set).
local domains = {
  acme = "click.acme.example",
  globex = "t.globex.example",
}

-- Recipient domains that are never tracked.
local untracked = { ["partner.example"] = true, ["internal.example"] = true }

local function domain_of(address)
  return address and (address:match("@([^@]+)$") or ""):lower() or ""
end

local mod = {}

function mod:validate_data_spool_each_rcpt(msg, accept, vctx)
  -- The sending application names its campaign in a header of its own.
  local campaign = msg:header("X-Campaign")[1]
  if campaign and campaign ~= "" then
    vctx:set(M, "smtpapi_campaign_id", campaign:sub(1, 64))
  end

  local customer = vctx:get(C, "mo_customer_id")
  local tracking_domain = customer and domains[customer]
  if tracking_domain then
    vctx:set(M, "smtpapi_tracking_domain", tracking_domain)
    vctx:set(M, "smtpapi_click_tracking_scheme", "https")
    vctx:set(M, "smtpapi_open_tracking_scheme", "https")
  end

  if untracked[domain_of(msg:rcptto())] then
    vctx:set(M, "smtpapi_click_tracking", "0")
    vctx:set(M, "smtpapi_open_tracking", "0")
  end

  -- Newsletters from the submission listener carry their list in the metadata.
  local list = msg:header("List-Id")[1]
  if list and accept:listener() == "submission" then
    local id = list:match("<([^>]+)>") or list
    vctx:set(M, "smtpapi_metadata", string.format('{"list": "%s"}', id:gsub('[%c"\\]', "")))
    vctx:set(M, "smtpapi_tags", '["newsletter"]')
  end

  return msys.core.VALIDATE_CONT
end

msys.registerModule("tracking_policy", mod)

"""policy_script (Lua, Momentum style) through a real Postfix.

- a campaign id the script takes from a header of the message is sealed into the click URL
  (checked with ``tracking-milter decode``);
- a script that fails or loops on a message gets that message the ``on_error`` reply
  (accept: delivered unchanged; tempfail: 451), with FILE:LINE in the log line, and the
  milter goes on;
- a script that does not compile stops start-up and ``check-config`` with FILE:LINE (78);
- SIGUSR1 reloads the script; a broken one is refused and the old one keeps serving.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest

from harness.message import build_message, split_postfix_received, unique_message_id
from harness.milter import message_record, run_to_exit
from harness.programs import make_key_file, start_tracking
from harness.trackingconfig import tracking_config, write_yaml

pytestmark = pytest.mark.usefixtures("needs_postfix")

HTML = '<html><body><p><a href="https://shop.example/spring">Spring</a></p></body></html>\n'

SCRIPT = """\
require("msys.core")
local mod = {}
function mod:validate_data_spool_each_rcpt(msg, accept, vctx)
  if msg:header("X-Loop")[1] then while true do end end
  if msg:header("X-Fail")[1] then error("refusing " .. msg:header("X-Fail")[1]) end
  local c = msg:header("X-Campaign")
  if c[1] then vctx:set(msys.core.VCTX_MESS, "smtpapi_campaign_id", "%s" .. c[1]) end
  return msys.core.VALIDATE_CONT
end
msys.registerModule("tracking_policy", mod)
"""


def script(prefix: str = "") -> str:
    return SCRIPT % prefix


def message(mid: str, extra: list[tuple[str, str]] = ()) -> bytes:
    return build_message([
        ("From", "Sender <sender@example.com>"), ("To", "<rcpt@example.com>"), ("Subject", "policy script"),
        ("Message-ID", mid), ("MIME-Version", "1.0"), ("Content-Type", "text/html; charset=utf-8"), *extra,
    ], HTML)


def start(e2e, tracking_bin, text: str, on_error: str = "accept"):
    path = e2e.path(f"{e2e.unique('policy')}.lua")
    path.write_text(text)
    milter = start_tracking(e2e, tracking_bin, overrides={
        "milter": {"on_error": on_error},
        "tracking": {"click_tracking_enabled": True, "tracking_domain": "track.example.test"},
        "policy_script": str(path),
    })
    milter.script_path = path
    return milter


def delivered_body(pf, result) -> str:
    assert result.ok, result
    return split_postfix_received(pf.wait_delivery_of(result.queue_id).data)[1].decode()


def click_url(body: str) -> str:
    match = re.search(r'href="(http://track\.example\.test/f/[^"]+)"', body)
    assert match, body
    return match.group(1)


def decode(tracking_bin, milter, url: str) -> dict:
    rc, out, err = run_to_exit([tracking_bin, "decode", "--config", milter.config_path, url], timeout=30)
    assert rc == 0, (rc, out, err)
    return json.loads(out)


def test_a_campaign_from_a_header_set_in_lua_is_in_the_click_url(e2e, tracking_bin):
    milter = start(e2e, tracking_bin, script())
    pf = e2e.postfix(milter=milter.socket)
    result = pf.send("sender@example.com", ["rcpt@example.com"],
                     message(unique_message_id("lua"), [("X-Campaign", "spring-2026")]))
    token = decode(tracking_bin, milter, click_url(delivered_body(pf, result)))
    assert token["campaign_id"] == "spring-2026", token
    rec = milter.wait_record(message_record(queue_id=result.queue_id))
    assert rec.get("campaign") == "spring-2026" and rec.get("outcome") == "rewritten", rec


@pytest.mark.parametrize("header,reason", [
    (("X-Fail", "this-one"), r":5: refusing this-one$"),
    (("X-Loop", "1"), r":4: instruction limit of 1000000 per call exceeded$"),
])
def test_a_failing_script_delivers_the_message_unchanged_with_on_error_accept(e2e, tracking_bin, header, reason):
    milter = start(e2e, tracking_bin, script())
    pf = e2e.postfix(milter=milter.socket)
    sent = message(unique_message_id("fail"), [header])
    result = pf.send("sender@example.com", ["rcpt@example.com"], sent)
    assert result.ok, result
    assert split_postfix_received(pf.wait_delivery_of(result.queue_id).data)[1] == sent
    rec = milter.wait_record(message_record(queue_id=result.queue_id))
    assert rec.get("outcome") == "policy-script-failed" and rec.get("on_error") == "accept", rec
    assert re.search("^" + re.escape(str(milter.script_path)) + reason, rec.get("reason", "")), rec
    # The milter goes on with the next message.
    after = pf.send("sender@example.com", ["rcpt@example.com"],
                    message(unique_message_id("after"), [("X-Campaign", "next")]))
    assert decode(tracking_bin, milter, click_url(delivered_body(pf, after)))["campaign_id"] == "next"
    assert milter.alive()


def test_a_looping_script_answers_451_with_on_error_tempfail(e2e, tracking_bin):
    milter = start(e2e, tracking_bin, script(), on_error="tempfail")
    pf = e2e.postfix(milter=milter.socket)
    mid = unique_message_id("loop")
    result = pf.send("sender@example.com", ["rcpt@example.com"], message(mid, [("X-Loop", "1")]))
    assert result.code == 451 and result.stage == "data", result
    rec = milter.wait_record(message_record(header_message_id=mid))
    assert rec.get("outcome") == "policy-script-failed" and rec.get("on_error") == "tempfail", rec
    assert pf.deliveries() == []
    assert milter.alive()


def broken_config(e2e, tracking_bin):
    script_path = e2e.path("broken.lua")
    script_path.write_text("local mod = {}\nfunction mod:validate_data_spool_each_rcpt(msg)\n  if x then\nend\n")
    cfg = tracking_config(e2e.socket("unix", "broken"), {
        "keys": {"file": str(make_key_file(e2e, tracking_bin))}, "policy_script": str(script_path)})
    return write_yaml(e2e.path("broken.yaml"), cfg), script_path


def test_a_script_that_does_not_compile_stops_start_up_with_its_line(e2e, tracking_bin):
    config, script_path = broken_config(e2e, tracking_bin)
    rc, out, err = run_to_exit([tracking_bin, "milter", "--config", config], timeout=20)
    assert rc == 78, (rc, out, err)
    assert re.search(re.escape(str(config)) + r":\d+:\d+: policy_script: " + re.escape(str(script_path)) + r":5: ", err), err


def test_check_config_reports_the_script_error(e2e, tracking_bin):
    config, script_path = broken_config(e2e, tracking_bin)
    rc, out, err = run_to_exit([tracking_bin, "check-config", config], timeout=20)
    assert rc == 78, (rc, out, err)
    assert f"{script_path}:5: 'end' expected" in err, err


def reload_and_wait(milter, count_before: int) -> dict:
    os.kill(milter.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        records = [r for r in milter.records() if str(r.get("msg", "")).startswith("reload")]
        if len(records) > count_before:
            return records[-1]
        time.sleep(0.05)
    raise TimeoutError(milter.stderr()[-2000:])


def test_sigusr1_reloads_the_script_and_refuses_a_broken_one(e2e, tracking_bin):
    milter = start(e2e, tracking_bin, script("v1-"))
    pf = e2e.postfix(milter=milter.socket)

    def campaign() -> str:
        result = pf.send("sender@example.com", ["rcpt@example.com"],
                         message(unique_message_id("reload"), [("X-Campaign", "c")]))
        return decode(tracking_bin, milter, click_url(delivered_body(pf, result)))["campaign_id"]

    assert campaign() == "v1-c"
    milter.script_path.write_text(script("v2-"))
    assert reload_and_wait(milter, 0).get("msg") == "reloaded"
    assert campaign() == "v2-c"
    milter.script_path.write_text("this is not lua\n")
    rec = reload_and_wait(milter, 1)
    assert rec.get("msg", "").startswith("reload refused"), rec
    assert f"{milter.script_path}:1:" in rec.get("error", ""), rec
    assert campaign() == "v2-c"
    assert milter.alive()

"""tracking-milter through a real Postfix, tracking off: X-MSYS-API handling (SPEC 2.2, 8)."""

import re

import pytest

from harness.message import (build_message, header_values, remove_header, split_postfix_received,
                             unique_message_id)
from harness.milter import message_record, run_to_exit
from harness.programs import start_tracking
from harness.tracking import BAD_HEADERS, HTML_BODY, api_header_value, check_good_record
from harness.trackingconfig import tracking_config, write_yaml

pytestmark = pytest.mark.usefixtures("needs_postfix")

KINDS = ["unix", "inet"]


def message(api_value=None, message_id=None, body=HTML_BODY) -> bytes:
    headers = [
        ("From", "Sender <sender@example.com>"),
        ("To", "<rcpt@example.com>"),
        ("Subject", "tracking test"),
        ("Message-ID", message_id or unique_message_id("track")),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/html; charset=utf-8"),
    ]
    if api_value is not None:
        headers.append(("X-MSYS-API", api_value))
    return build_message(headers, body)


@pytest.mark.parametrize("kind", KINDS)
def test_api_header_removed_and_body_identical(e2e, tracking_milters, kind):
    pf = e2e.postfix(milter=tracking_milters.get(kind).socket)
    msg = message(api_header_value())
    result = pf.send("sender@example.com", ["rcpt@example.com"], msg)
    assert result.ok, result
    (d,) = pf.wait_deliveries(1)
    _, rest = split_postfix_received(d.data)
    assert header_values(rest, "X-MSYS-API") == []
    # tracking off: everything but the header is byte-identical
    assert rest == remove_header(msg, "X-MSYS-API")


def test_message_without_api_header_passes_unchanged(e2e, tracking_milters):
    pf = e2e.postfix(milter=tracking_milters.get("unix").socket)
    msg = message(None)
    assert pf.send("sender@example.com", ["rcpt@example.com"], msg).ok
    (d,) = pf.wait_deliveries(1)
    assert split_postfix_received(d.data)[1] == msg


def test_log_line_for_good_header(e2e, tracking_milters):
    milter = tracking_milters.get("unix")
    pf = e2e.postfix(milter=milter.socket)
    mid = unique_message_id("log")
    result = pf.send("sender@example.com", ["rcpt@example.com"], message(api_header_value(), mid))
    assert result.ok, result
    rec = milter.wait_record(message_record(queue_id=result.queue_id),
                             what=f"log line with queue_id={result.queue_id}")
    assert rec.get("header_message_id") == mid, rec
    assert re.fullmatch(r"[0-9a-f]{20}", str(rec.get("message_id"))), rec
    assert "rcpt@example.com" in str(rec.get("recipients")), rec
    check_good_record(rec)


@pytest.mark.parametrize("case_id,api_value,reply", BAD_HEADERS, ids=[c[0] for c in BAD_HEADERS])
def test_bad_header_is_rejected_with_550_5_6_0(e2e, tracking_milters, case_id, api_value, reply):
    milter = tracking_milters.get("unix")
    pf = e2e.postfix(milter=milter.socket)
    mid = unique_message_id(case_id)
    result = pf.send("sender@example.com", ["rcpt@example.com"], message(api_value, mid))
    assert result.stage == "data" and result.code == 550, result
    assert result.reply.startswith("5.6.0 "), result
    if reply is not None:
        assert result.reply == reply
    assert pf.deliveries() == [] and pf.queue_files() == []
    rec = milter.wait_record(message_record(header_message_id=mid),
                             what=f"log line for {mid}")
    assert rec.get("outcome") == "rejected", rec
    assert rec.get("reason"), rec


def test_json_log_format(e2e, tracking_bin):
    milter = start_tracking(e2e, tracking_bin, "unix", {"log": {"format": "json"}})
    pf = e2e.postfix(milter=milter.socket)
    result = pf.send("sender@example.com", ["rcpt@example.com"], message(api_header_value()))
    assert result.ok, result
    assert pf.wait_deliveries(1)
    rec = milter.wait_record(message_record(queue_id=result.queue_id))
    message_lines = [line for line in milter.lines() if result.queue_id in line]
    assert message_lines and all(line.lstrip().startswith("{") for line in message_lines), \
        message_lines
    check_good_record(rec)


def test_bad_config_exits_with_file_and_line(e2e, tracking_bin):
    cfg = tracking_config(e2e.socket("unix", "never"), {"milter": {"on_error": "maybe"}})
    path = write_yaml(e2e.path("bad.yaml"), cfg)
    rc, out, err = run_to_exit([tracking_bin, "milter", "--config", path], timeout=20)
    assert rc is not None, "tracking-milter kept running on a bad config"
    assert rc != 0, (rc, out, err)
    assert re.search(re.escape(str(path)) + r":\d+", err), err

"""tracking-milter driven by miltertest (no MTA): header removal, 550 5.6.0
replies, the log line, body untouched with tracking off (SPEC 2.2, 8)."""

import uuid

import pytest

from harness.message import to_crlf
from harness.milter import message_record
from harness.miltertest import run_miltertest
from harness.tracking import BAD_HEADERS, HTML_BODY, api_header_value, check_good_record

pytestmark = pytest.mark.usefixtures("needs_miltertest")


def ids():
    """A fresh queue id ({i} macro) and Message-ID, to find this run's log line."""
    tag = uuid.uuid4().hex[:10].upper()
    return f"E2E{tag}", f"<mt.{tag.lower()}@e2e.test>"


def run(script, milter, **defines):
    r = run_miltertest(script, milter.socket, {k: v for k, v in defines.items() if v is not None})
    assert r.passed, r.explain() + f"\n--- milter stderr tail\n{milter.stderr()[-2000:]}"
    return r


@pytest.mark.parametrize("kind", ["unix", "inet"])
def test_api_header_deleted_and_body_untouched(tracking_milters, kind):
    qid, mid = ids()
    run("api_header_stripped", tracking_milters.get(kind), api=api_header_value(),
        queue_id=qid, message_id=mid, body=to_crlf(HTML_BODY).decode(),
        content_type="text/html; charset=utf-8")


def test_valid_header_log_line(tracking_milters):
    milter = tracking_milters.get("unix")
    qid, mid = ids()
    run("api_header_stripped", milter, api=api_header_value(), queue_id=qid, message_id=mid)
    rec = milter.wait_record(message_record(queue_id=qid), what=f"log line queue_id={qid}")
    assert rec.get("header_message_id") == mid, rec
    assert "rcpt@example.com" in str(rec.get("recipients")), rec
    check_good_record(rec)


@pytest.mark.parametrize("case_id,api_value,reply", BAD_HEADERS, ids=[c[0] for c in BAD_HEADERS])
def test_invalid_header_gets_550_5_6_0(tracking_milters, case_id, api_value, reply):
    milter = tracking_milters.get("unix")
    qid, mid = ids()
    # miltertest can only compare a whole reply; where SPEC fixes no text
    # (malformed JSON) this checks "a reply code", and the Postfix test checks 5.6.0.
    # On the milter wire the reply text is a format for the MTA: '%' travels as '%%' and
    # the MTA prints one (the Postfix test checks what the client reads).
    run("api_header_rejected", milter, api=api_value, queue_id=qid, message_id=mid,
        reply=f"550 {reply.replace('%', '%%')}" if reply else None)
    rec = milter.wait_record(message_record(queue_id=qid), what=f"log line queue_id={qid}")
    assert rec.get("outcome") == "rejected", rec
    if reply:
        assert rec.get("reason") == reply.split(" ", 1)[1], rec


def test_message_without_api_header_untouched(tracking_milters):
    qid, mid = ids()
    run("plain_message_untouched", tracking_milters.get("unix"), queue_id=qid, message_id=mid,
        body=to_crlf(HTML_BODY).decode(), content_type="text/html; charset=utf-8")

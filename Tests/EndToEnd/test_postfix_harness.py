"""The Postfix harness itself: byte-exact delivery, envelope, milter-down tempfail."""

import time

import pytest

from harness.message import build_message, split_postfix_received, unique_message_id

pytestmark = pytest.mark.usefixtures("needs_postfix")


def tricky_message() -> bytes:
    """Content that naive delivery paths change: dots, From_ lines, long/8-bit lines."""
    body = b"".join([
        b"First line.\r\n",
        b".A line starting with a dot\r\n",
        b"..two dots\r\n",
        b".\r\n",                                 # a lone dot inside the body
        b"From the start of a line (mbox would quote this)\r\n",
        b">From already quoted\r\n",
        b"trailing spaces   \r\n",
        b"\ttab-indented\r\n",
        b"x" * 5000 + b"\r\n",                   # longer than line_length_limit (2048)
        "8-bit: caf\u00e9 \u00fcber\r\n".encode("utf-8"),
        b"\r\n",
        b"\r\n",                                  # trailing empty lines
    ])
    return build_message([
        ("From", "Sender <sender@example.com>"),
        ("To", "Rcpt <rcpt@example.com>"),
        ("Subject", "harness self-test\n\twith a folded subject"),
        ("Message-ID", unique_message_id("harness")),
        ("X-Custom", "  spaced   value"),
    ], body)


def test_delivery_is_byte_exact_without_milter(e2e):
    pf = e2e.postfix()
    msg = tricky_message()
    result = pf.send("sender@example.com", ["rcpt@example.com"], msg)
    assert result.ok, result
    (d,) = pf.wait_deliveries(1)
    assert d.queue_id == result.queue_id
    assert (d.sender, d.recipient) == ("sender@example.com", "rcpt@example.com")
    added, rest = split_postfix_received(d.data)
    assert f"id {result.queue_id}".encode() in added
    assert rest == msg


def test_message_without_date_and_message_id_is_not_completed(e2e):
    """local_header_rewrite_clients is empty: cleanup adds nothing for our client."""
    pf = e2e.postfix()
    msg = build_message([("Subject", "bare")], "no Date, no Message-ID, no From, no To\n")
    assert pf.send("sender@example.com", ["rcpt@example.com"], msg).ok
    (d,) = pf.wait_deliveries(1)
    assert split_postfix_received(d.data)[1] == msg


def test_each_recipient_gets_its_own_file(e2e):
    pf = e2e.postfix()
    msg = build_message([("Subject", "two rcpts")], "hi\n")
    result = pf.send("sender@example.com", ["a@example.com", "b@example.org"], msg)
    assert result.ok, result
    deliveries = pf.wait_deliveries(2)
    assert sorted(d.recipient for d in deliveries) == ["a@example.com", "b@example.org"]
    assert {d.queue_id for d in deliveries} == {result.queue_id}
    assert sorted(d.name for d in deliveries) == [result.queue_id, result.queue_id + ".1"]
    assert all(split_postfix_received(d.data)[1] == msg for d in deliveries)


def test_discard_mode_delivers_nothing_to_files(e2e):
    pf = e2e.postfix(discard=True)
    result = pf.send("sender@example.com", ["rcpt@example.com"], build_message([], "x\n"))
    assert result.ok, result
    wanted = "postfix/discard"
    for _ in range(100):                      # at most ~10 s
        sent = [line for line in pf.maillog().splitlines()
                if result.queue_id in line and "status=sent" in line]
        if sent:
            break
        time.sleep(0.1)
    assert sent and wanted in sent[0], pf.maillog()[-2000:]
    assert pf.deliveries() == []


@pytest.mark.parametrize("kind", ["unix", "inet"])
def test_milter_down_tempfails_and_delivers_nothing(e2e, kind):
    dead = e2e.socket(kind, "nobody-listens")     # nothing is started on it
    pf = e2e.postfix(milter=dead)
    result = pf.send("sender@example.com", ["rcpt@example.com"],
                     build_message([("Subject", "milter down")], "x\n"))
    assert 400 <= result.code < 500, result
    assert (result.code, result.reply.split()[0]) == (451, "4.7.1"), result
    time.sleep(1.0)
    assert pf.deliveries() == []
    assert pf.queue_files() == []
    assert "milter-reject" in pf.maillog()


def test_rcpt_rejection_is_returned_not_raised(e2e):
    """send() reports a refused RCPT as a result; also shows main_cf overrides apply."""
    pf = e2e.postfix(main_cf={"smtpd_relay_restrictions": "reject_unauth_destination",
                              "mynetworks": "192.0.2.0/24"})
    result = pf.send("sender@example.com", ["rcpt@example.com"], build_message([], "x\n"))
    assert result.stage == "rcpt" and result.code == 554, result
    assert "Relay access denied" in result.reply
    code, reply = result
    assert (code, reply) == (result.code, result.reply)

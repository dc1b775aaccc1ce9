"""MAIL FROM's ESMTP SIZE= through a real Postfix: Postfix hands the client's parameters to
the milter's MAIL step, which takes SIZE= as the body size hint (capped at
max_message_bytes). A message is rewritten the same with or without it, whatever the client
claims; with it, a large message is built in one reserved buffer (lower peak memory)."""

import base64
import re

import pytest

from harness.message import build_message, split_postfix_received, unique_message_id
from harness.milter import message_record
from harness.programs import start_tracking

pytestmark = pytest.mark.usefixtures("needs_postfix")

TRACKING = {"tracking": {"click_tracking_enabled": True, "open_tracking_enabled": True,
                         "tracking_domain": "t.example"}}
TOKEN = re.compile(rb"https?://t\.example/(f/[^/]+|q)/[A-Za-z0-9_-]+")


def newsletter(attachment: bytes = b"") -> bytes:
    headers = [("From", "Sender <sender@example.com>"), ("To", "<rcpt@example.com>"),
               ("Subject", "size hint"), ("Message-ID", unique_message_id("size")),
               ("MIME-Version", "1.0"), ("Content-Type", 'multipart/mixed; boundary="b"')]
    body = (b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            b'<html><body><p>Hi</p><a href="https://example.com/offer">offer</a></body></html>\r\n')
    if attachment:
        body += (b"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                 b'Content-Disposition: attachment; filename="a.bin"\r\n\r\n'
                 + base64.encodebytes(attachment).replace(b"\n", b"\r\n"))
    return build_message(headers, body + b"--b--\r\n")


@pytest.mark.parametrize("claim", [None, "exact", "1", "60000000"],
                         ids=["no-size", "exact", "lying-small", "lying-large"])
def test_message_sent_with_size_is_rewritten_as_without(e2e, tracking_bin, claim):
    milter = start_tracking(e2e, tracking_bin, "unix", TRACKING)
    pf = e2e.postfix(milter=milter.socket)
    msg = newsletter()
    options = [] if claim is None else [f"SIZE={len(msg) if claim == 'exact' else claim}"]
    result = pf.send("sender@example.com", ["rcpt@example.com"], msg, mail_options=options)
    assert result.ok, result
    (d,) = pf.wait_deliveries(1)
    rest = split_postfix_received(d.data)[1]
    rec = milter.wait_record(message_record(queue_id=result.queue_id), what=f"log line of {result.queue_id}")
    assert rec.get("outcome") == "rewritten" and rec.get("links_tracked") == "1" and rec.get("pixels") == "2", rec
    # Apart from the tokens, exactly what the message becomes without SIZE=.
    assert TOKEN.sub(b"TOKEN", rest) == TOKEN.sub(b"TOKEN", msg).replace(
        b"<body>", b"<body>" + PIXEL_TOKEN).replace(b"</body>", PIXEL_TOKEN + b"</body>").replace(
        b"https://example.com/offer", b"TOKEN")


PIXEL_TOKEN = (b'<img src="TOKEN" width="1" height="1" border="0" alt="" style="height:1px !important;'
               b"width:1px !important;border-width:0 !important;margin:0 !important;padding:0 !important;"
               b'display:block !important" />')


def peak_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_size_lowers_peak_memory_of_a_large_message(e2e, tracking_bin):
    """A 20 MB attachment: with SIZE= the new body is reserved once instead of growing by
    doubling. Each run is a fresh milter process, so VmHWM is that message's peak."""
    msg = newsletter(bytes(range(256)) * (15 * 1024 * 1024 // 256))
    peaks = {}
    for label, options in (("without", []), ("with", [f"SIZE={len(msg)}"])):
        milter = start_tracking(e2e, tracking_bin, "unix", TRACKING)
        pf = e2e.postfix(milter=milter.socket, main_cf={"milter_content_timeout": "120s"})
        result = pf.send("sender@example.com", ["rcpt@example.com"], msg, mail_options=options, timeout=180)
        assert result.ok, result
        rec = milter.wait_record(message_record(queue_id=result.queue_id), what="log line", timeout=60)
        assert rec.get("outcome") == "rewritten", rec
        peaks[label] = peak_rss_kb(milter.pid)
    print(f"message {len(msg)} bytes; milter peak RSS without SIZE= {peaks['without']} KB, "
          f"with SIZE= {peaks['with']} KB")
    assert peaks["with"] < peaks["without"], peaks

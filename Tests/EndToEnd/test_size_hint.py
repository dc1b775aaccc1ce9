"""MAIL FROM's ESMTP SIZE= through a real Postfix, and the memory a large message costs:
Postfix hands the client's parameters to the milter's MAIL step, which takes SIZE= as the
body size hint (capped at max_message_bytes). A message is rewritten the same with or
without it, whatever the client claims. A large message costs about the same either way:
the new body is built in segments, and all but its first limits.spill_threshold_bytes wait
for the MTA in an unnamed file in limits.spill_directory."""

import base64
import os
import re

import pytest

from harness.message import build_message, split_postfix_received, unique_message_id
from harness.milter import message_record
from harness.programs import start_tracking
from harness.trackingconfig import deep_merge

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
    assert TOKEN.sub(b"TOKEN", rest) == tracked_shape(msg)


def tracked_shape(msg: bytes) -> bytes:
    """What `newsletter` becomes once tracked, every token written TOKEN."""
    return TOKEN.sub(b"TOKEN", msg).replace(
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


def files_open_in(pid: int, directory: str) -> list[str]:
    """The process's descriptors on files in `directory` (an unnamed spill file reads
    "DIR/#123 (deleted)")."""
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            continue
        if target.startswith(directory + "/"):
            found.append(target)
    return found


def spill_directory(e2e) -> str:
    path = str(e2e.path(e2e.unique("spill")))
    os.makedirs(path)
    return path


def test_large_message_peaks_near_the_floor_with_or_without_size(e2e, tracking_bin):
    """A 25.8 MB message (18 MiB attachment): without SIZE= its new body used to grow by
    doubling (1.33 x the message above the floor, 2.60 x for the whole debug process), with
    SIZE= it was reserved once (0.99 x). Now it is segments, and all but the first
    spill_threshold_bytes (2 MiB by default) wait in an unnamed file: well under half the
    message above the floor either way. Each run is a fresh milter process, so VmHWM is that
    message's peak; the floor is a tiny message's, measured here, not a number from elsewhere.
    The delivered body is the message's byte for byte outside the tokens, and the file is
    gone after the message."""
    big = newsletter(bytes(range(256)) * (18 * 1024 * 1024 // 256))
    runs = (("floor", newsletter(), []), ("without", big, []), ("with", big, [f"SIZE={len(big)}"]))
    peaks = {}
    for label, msg, options in runs:
        spill = spill_directory(e2e)
        milter = start_tracking(e2e, tracking_bin, "unix", deep_merge(TRACKING, {"limits": {"spill_directory": spill}}))
        pf = e2e.postfix(milter=milter.socket, main_cf={"milter_content_timeout": "120s"})
        result = pf.send("sender@example.com", ["rcpt@example.com"], msg, mail_options=options, timeout=180)
        assert result.ok, result
        rec = milter.wait_record(message_record(queue_id=result.queue_id), what="log line", timeout=60)
        assert rec.get("outcome") == "rewritten", rec
        (d,) = pf.wait_deliveries(1, timeout=120)
        assert TOKEN.sub(b"TOKEN", split_postfix_received(d.data)[1]) == tracked_shape(msg), label
        peaks[label] = peak_rss_kb(milter.pid)
        assert files_open_in(milter.pid, spill) == [], "the spill file outlived its message"
        assert os.listdir(spill) == [], "a spill file has a name"
    above = {label: peaks[label] - peaks["floor"] for label in ("without", "with")}
    print(f"message {len(big)} bytes; milter peak RSS KB: floor {peaks['floor']}, without SIZE= {peaks['without']} "
          f"({peaks['without'] * 1024 / len(big):.2f} x; above the floor {above['without']}, "
          f"{above['without'] * 1024 / len(big):.2f} x), with SIZE= {peaks['with']} "
          f"({peaks['with'] * 1024 / len(big):.2f} x; above the floor {above['with']}, {above['with'] * 1024 / len(big):.2f} x)")
    for label in ("without", "with"):
        assert above[label] * 1024 < 0.5 * len(big), (label, peaks)


def test_a_spill_file_that_cannot_be_written_delivers_the_message_unchanged(e2e, tracking_bin):
    """A real write failure: the milter runs under a 1 MB file-size limit (RLIMIT_FSIZE), so
    writing its spill file fails with EFBIG past 1 MB. The message goes out as it came (the
    on_error reply, accept), the log line says spill-failed and why, and no file stays open."""
    msg = newsletter(bytes(range(256)) * (3 * 1024 * 1024 // 256))
    spill = spill_directory(e2e)
    milter = start_tracking(
        e2e, tracking_bin, "unix",
        deep_merge(TRACKING, {"limits": {"spill_threshold_bytes": 0, "spill_directory": spill}}),
        wrapper=["prlimit", "--fsize=1000000", "--"])
    pf = e2e.postfix(milter=milter.socket, main_cf={"milter_content_timeout": "120s"})
    result = pf.send("sender@example.com", ["rcpt@example.com"], msg, timeout=180)
    assert result.ok, result
    rec = milter.wait_record(message_record(queue_id=result.queue_id), what="log line", timeout=60)
    assert rec.get("outcome") == "spill-failed" and rec.get("on_error") == "accept", rec
    assert f"cannot write the spill file in {spill}" in rec.get("reason", "") and "File too large" in rec["reason"], rec
    (d,) = pf.wait_deliveries(1, timeout=120)
    assert split_postfix_received(d.data)[1] == msg, "the message was changed"
    assert files_open_in(milter.pid, spill) == []
    assert milter.alive(), "the file-size limit ended the milter"

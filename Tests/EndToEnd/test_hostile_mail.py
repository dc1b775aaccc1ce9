"""Hostile mail through a real Postfix and tracking-milter, tracking on (SPEC §7: never lose mail).

Every message is built here. Each goes through one private Postfix whose own limits
(message size, header size, MIME nesting) are raised so the hostile size reaches the
milter, and must end one of three ways:

- delivered rewritten: links tracked, every other byte as it came (checked per case);
- delivered unchanged: the delivered message equals what was sent, apart from Postfix's
  Received: field and the X-MSYS-API field the milter strips; the log line's reason
  names the limit or the fault;
- rejected with a clear SMTP reply.

After each one the milter must still run under the same pid and track the next, ordinary
message. Run with ``-s`` to see time and the milter's peak RSS per message (the figures
in docs/reliability.md).
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import os
import re
import time
from dataclasses import dataclass
from typing import Callable

import pytest

from harness.logparse import parse_logfmt
from harness.message import remove_header, split_message, split_postfix_received, unique_message_id
from harness.programs import start_tracking

pytestmark = pytest.mark.usefixtures("needs_postfix")

SENDER = "sender@example.com"
RCPT = "rcpt@example.com"
TRACKING_DOMAIN = "track.example.test"
API = json.dumps({"campaign_id": "hostile", "options": {"open_tracking": True, "click_tracking": True}})

# Postfix's own limits, raised so the hostile sizes reach the milter (its defaults would
# refuse or cut them first: 10 MB messages, 100 KB per header, MIME nesting 100).
POSTFIX_LIMITS = {
    "message_size_limit": str(200 * 1024 * 1024),
    "header_size_limit": str(16 * 1024 * 1024),
    "mime_nesting_limit": "2000",
}

TRACKED_URL = re.compile(rb"https?://" + re.escape(TRACKING_DOMAIN.encode()) + rb"/[fq]/[A-Za-z0-9_/.-]+")
PIXEL = re.compile(rb'<img src="https?://' + re.escape(TRACKING_DOMAIN.encode()) + rb'/q/[^"]*"[^>]*/>')
ORIGINAL_URL = re.compile(rb"https?://example\.(?:com|org)/[A-Za-z0-9_/.?=&%-]*")


# ---- messages -----------------------------------------------------------------

def header_lines(content_type: str, *, cte: str | None = None, api: str | None = API,
                 extra: list[bytes] | None = None) -> list[bytes]:
    lines = [b"From: Sender <sender@example.com>", b"To: <rcpt@example.com>", b"Subject: hostile",
             f"Message-ID: {unique_message_id('hostile')}".encode(), b"MIME-Version: 1.0",
             f"Content-Type: {content_type}".encode()]
    if cte is not None:
        lines.append(f"Content-Transfer-Encoding: {cte}".encode())
    lines += extra or []
    if api is not None:
        lines.append(b"X-MSYS-API: " + api.encode())
    return lines


def raw_message(headers: list[bytes], body: bytes) -> bytes:
    """Header lines and body as they go on the wire (CRLF; the body must bring its own)."""
    return b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body


LINKS_HTML = (b'<html><body><p>Hello <a href="http://example.com/offer?x=1">offer</a> and '
              b'<a href="https://example.org/site">site</a>.</p></body></html>\r\n')


def html_links(n: int) -> bytes:
    return (b"<html><body>\r\n"
            + b"".join(b'<a href="http://example.com/l%d">%d</a>\r\n' % (i, i) for i in range(n))
            + b"</body></html>\r\n")


def body_50mb() -> bytes:
    attachment = base64.encodebytes(os.urandom(36_500_000)).replace(b"\n", b"\r\n")
    return raw_message(
        header_lines("multipart/mixed; boundary=outer"),
        b"--outer\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + LINKS_HTML
        + b"--outer\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
          b'Content-Disposition: attachment; filename="big.bin"\r\n\r\n'
        + attachment + b"--outer--\r\n")


def text_50mb() -> bytes:
    """One 50 MB displayed part: every byte goes through the decoder, the rewriter and the encoder."""
    block = b"lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\r\n" * 250
    block += b"see http://example.com/page?n=1\r\n"
    return raw_message(header_lines("text/plain; charset=us-ascii", cte="7bit"), block * (50_000_000 // len(block)))


def links_10000() -> bytes:
    return raw_message(header_lines("text/html; charset=utf-8"), html_links(10_000))


def nesting_1000() -> bytes:
    opening = b"".join(b"--n%d\r\nContent-Type: multipart/mixed; boundary=n%d\r\n\r\n" % (i, i + 1)
                       for i in range(1000))
    inner = b"--n1000\r\nContent-Type: text/html\r\n\r\n" + LINKS_HTML + b"--n1000--\r\n"
    closing = b"".join(b"--n%d--\r\n" % i for i in reversed(range(1000)))
    return raw_message(header_lines("multipart/mixed; boundary=n0"), opening + inner + closing)


def parts_100000() -> bytes:
    part = b"--p\r\nContent-Type: text/plain\r\n\r\nsee http://example.com/p\r\n"
    return raw_message(header_lines("multipart/mixed; boundary=p"), part * 100_000 + b"--p--\r\n")


def line_1mb() -> bytes:
    filler = b"lorem ipsum dolor sit amet " * 13_000  # 351,000 bytes
    line = (b"start http://example.com/first " + filler + b"middle http://example.com/middle "
            + filler + filler[:300_000] + b" end http://example.com/last")
    assert len(line) > 1_000_000
    return raw_message(header_lines("text/plain; charset=us-ascii", cte="7bit"), line + b"\r\n")


def nul_and_bare_cr() -> bytes:
    body = (b"<html><body>\r\n<p>nul\x00here and a bare\rCR <a href=\"http://example.com/n\">x\x00y</a></p>\r\n"
            b"<p>\x00\x00\r\x00 <a href=\"https://example.org/cr\">z\rw</a></p>\r\n</body></html>\r\n")
    return raw_message(header_lines("text/html; charset=utf-8", cte="8bit"), body)


def invalid_utf8() -> bytes:
    body = (b"<html><body>\r\n<p>\xff\xfe \xc3\x28 \xe2\x82 <a href=\"http://example.com/u\">caf\xe9</a> \xed\xa0\x80</p>\r\n"
            b"</body></html>\r\n")
    return raw_message(header_lines("text/html; charset=utf-8", cte="8bit",
                                    extra=[b"Subject-Extra: caf\xe9 \xff\xfe \xc3\x28", b"X-Name: \xc0\xaf"]), body)


def api_header_invalid_utf8() -> bytes:
    api = b'{"campaign_id": "c\xff\xfe", "options": {"open_tracking": true, "click_tracking": true}}'
    return raw_message(header_lines("text/html; charset=utf-8", api=None) + [b"X-MSYS-API: " + api], LINKS_HTML)


def header_block_10mb() -> bytes:
    filler = [b"X-Filler-%06d: %s" % (i, b"v" * 84) for i in range(100_000)]
    return raw_message(header_lines("text/html; charset=utf-8", extra=filler), LINKS_HTML)


def boundary_never_appears() -> bytes:
    body = (b"--not-the-boundary\r\nContent-Type: text/html\r\n\r\n" + LINKS_HTML + b"--not-the-boundary--\r\n")
    return raw_message(header_lines('multipart/alternative; boundary="never-used"'), body)


def base64_garbage() -> bytes:
    good = base64.encodebytes(LINKS_HTML).replace(b"\n", b"\r\n")
    return raw_message(header_lines("text/html; charset=utf-8", cte="base64"),
                       good[:40] + b"!!@@##$$%%^^&&**\r\n" + good[40:] + b"====AAAA\r\n")


def api_header_58kb_tags() -> bytes:
    """The reviewer's message as far as Postfix lets it through: two 29 KB tags, 1,000 links."""
    api = json.dumps({"campaign_id": "hostile", "tags": ["a" * 29_000, "b" * 29_000],
                      "options": {"open_tracking": True, "click_tracking": True}})
    return raw_message(header_lines("text/html; charset=utf-8", api=api), html_links(1000))


def api_header_1mb() -> bytes:
    api = json.dumps({"campaign_id": "hostile", "tags": ["t" * 100_000] * 10,
                      "options": {"open_tracking": True, "click_tracking": True}})
    assert len(api) > 1_000_000
    return raw_message(header_lines("text/html; charset=utf-8", api=api), LINKS_HTML)


def content_type_comment_trap() -> bytes:
    return raw_message(header_lines("text/plain (\\"), b"Read http://example.com/ct now.\r\n")


def transfer_encoding_comment_trap() -> bytes:
    body = base64.encodebytes(LINKS_HTML).replace(b"\n", b"\r\n")
    return raw_message(header_lines("text/html; charset=utf-8", cte="base64 (\\"), body)


def disposition_comment_trap() -> bytes:
    return raw_message(header_lines("text/html; charset=utf-8", extra=[b"Content-Disposition: attachment (\\"]),
                       LINKS_HTML)


def rfc2231_10000_sections() -> bytes:
    sections = b"".join(b';\r\n boundary*%d=""' % i for i in range(1, 10_000))
    inner = b"--hostile\r\nContent-Type: text/html\r\n\r\n" + LINKS_HTML + b"--hostile--\r\n"
    body = (b"--outer\r\nContent-Type: multipart/alternative; boundary*0=\"hostile\"" + sections + b"\r\n\r\n"
            + inner + b"--outer--\r\n")
    assert len(body) > 150_000
    return raw_message(header_lines("multipart/mixed; boundary=outer"), body)


# ---- what a delivered message must look like --------------------------------------

def normalized(data: bytes) -> bytes:
    """The bytes with open pixels removed and every link (tracked or not) replaced by URL."""
    return ORIGINAL_URL.sub(b"URL", TRACKED_URL.sub(b"URL", PIXEL.sub(b"", data)))


def same_but_links(sent: bytes, delivered: bytes, record: dict | None = None) -> None:
    """Header block minus X-MSYS-API as sent; the body as sent apart from tracked links and pixels."""
    s_fields, s_body = split_message(remove_header(sent, "X-MSYS-API"))
    d_fields, d_body = split_message(delivered)
    assert [f.raw for f in d_fields] == [f.raw for f in s_fields], "header fields changed"
    assert normalized(d_body) == normalized(s_body), "body bytes other than links changed"
    assert TRACKED_URL.search(d_body) and not ORIGINAL_URL.search(d_body), "a link was left untracked"


def attachment_intact(sent: bytes, delivered: bytes, record: dict) -> None:
    marker = b"--outer\r\nContent-Type: application/octet-stream"
    assert delivered.count(marker) == 1
    assert delivered.split(marker)[1] == sent.split(marker)[1], "the attachment changed"
    assert len(TRACKED_URL.findall(delivered.split(marker)[0])) >= 2


def decoded_text_same_but_links(sent: bytes, delivered: bytes, record: dict) -> None:
    """The long line came back as quoted-printable (a 7bit line may not pass 998 octets);
    decoded, it is the sent text with its three links tracked."""
    msg = email.message_from_bytes(delivered, policy=email.policy.compat32)
    assert msg["Content-Transfer-Encoding"].strip().lower() == "quoted-printable"
    text = msg.get_payload(decode=True)
    assert len(TRACKED_URL.findall(text)) == 3
    assert normalized(text) == normalized(split_message(sent)[1])


def nul_kept_bare_cr_as_postfix_makes_it(sent: bytes, delivered: bytes, record: dict) -> None:
    """Postfix itself turns a bare CR into a space (measured without a milter); NULs pass."""
    assert b"\x00\x00\r\x00" not in delivered and b"\x00\x00 \x00" in delivered
    same_but_links(re.sub(rb"\r(?!\n)", b" ", sent), delivered)


def tracked_in_decoded_body(sent: bytes, delivered: bytes, record: dict) -> None:
    """Read as base64 despite the broken comment (Python's email does not: decoded by hand)."""
    fields, body = split_message(delivered)
    assert [f.raw for f in fields] == [f.raw for f in split_message(remove_header(sent, "X-MSYS-API"))[0]]
    html = base64.b64decode(body)
    assert len(TRACKED_URL.findall(html)) >= 3   # two links and at least one pixel
    assert normalized(html) == normalized(LINKS_HTML)


def campaign_decoded_leniently(sent: bytes, delivered: bytes, record: dict) -> None:
    """libmilter hands header values over as C strings, decoded leniently: invalid UTF-8
    in X-MSYS-API becomes U+FFFD before the JSON is read."""
    assert record.get("campaign") == "c\ufffd\ufffd", record
    same_but_links(sent, delivered)


def cut_by_postfix_then_links(sent: bytes, delivered: bytes, record: dict) -> None:
    """Postfix with any milter (a pass-through one too) cuts a header line, a body part's as
    well, after 60,000 bytes: 3,213 of the 10,000 sections reach the milter. What reached
    it comes out as it came, links tracked."""
    marker = b"\r\n\r\n--hostile\r\n"
    d_head = delivered.split(marker)[0]
    s_head, s_rest = remove_header(sent, "X-MSYS-API").split(marker)
    assert s_head.startswith(d_head) and 60_000 <= len(d_head) - d_head.index(b"--outer\r\nContent-Type") < 64_000
    same_but_links(d_head + marker + s_rest, delivered)


@dataclass
class Case:
    name: str
    build: Callable[[], bytes]
    outcome: str                 # "rewritten", "unchanged" or "rejected"
    reason: str | None = None    # a substring of the log line's reason
    check: Callable[[bytes, bytes, dict], None] | None = None   # (sent, delivered minus Received, log record)
    reply: str | None = None     # for "rejected": the start of the SMTP reply text


CASES = [
    Case("body-50mb", body_50mb, "rewritten", check=attachment_intact),
    Case("text-50mb", text_50mb, "rewritten", check=same_but_links),
    Case("links-10000", links_10000, "unchanged", "max_links exceeded (5000)"),
    Case("nesting-1000", nesting_1000, "unchanged", "max_depth exceeded (20)"),
    Case("parts-100000", parts_100000, "unchanged", "max_parts exceeded (500)"),
    Case("line-1mb", line_1mb, "rewritten", check=decoded_text_same_but_links),
    Case("nul-and-bare-cr", nul_and_bare_cr, "rewritten", check=nul_kept_bare_cr_as_postfix_makes_it),
    Case("invalid-utf8", invalid_utf8, "rewritten", check=same_but_links),
    Case("api-header-invalid-utf8", api_header_invalid_utf8, "rewritten", check=campaign_decoded_leniently),
    Case("header-block-10mb", header_block_10mb, "rewritten", check=same_but_links),
    Case("boundary-never-appears", boundary_never_appears, "unchanged", "no displayed parts"),
    Case("base64-garbage", base64_garbage, "unchanged", "bad base64"),
    Case("api-header-58kb-tags", api_header_58kb_tags, "unchanged", "max_token_bytes exceeded (4096)"),
    # Postfix hands the milter only the first 60,000 bytes of the field: not JSON any more.
    Case("api-header-1mb", api_header_1mb, "rejected", reply="5.6.0 X-MSYS-API header is not valid JSON"),
    Case("content-type-comment-trap", content_type_comment_trap, "rewritten", check=same_but_links),
    Case("transfer-encoding-comment-trap", transfer_encoding_comment_trap, "rewritten", check=tracked_in_decoded_body),
    Case("disposition-comment-trap", disposition_comment_trap, "unchanged", "no displayed parts"),
    Case("rfc2231-10000-sections", rfc2231_10000_sections, "rewritten", check=cut_by_postfix_then_links),
]


# ---- the rig: one Postfix, one milter, shared by the cases --------------------------

class Rig:
    def __init__(self, res, binary):
        self.res = res
        self.milter = start_tracking(res, binary, "unix", {"milter": {"recipient_mode": "split"}})
        self.pid = self.milter.pid
        self.postfix = res.postfix(milter=self.milter.socket, main_cf=POSTFIX_LIMITS)
        self.figures: list[list] = []   # [input, SMTP reply, milter outcome and reason, seconds, peak KiB]

    def ensure_milter(self) -> None:
        """A case that killed the milter fails; the next one gets a fresh milter on the same socket."""
        if not self.milter.alive():
            old = self.milter
            self.milter = self.res.milter(old.argv, old.socket, name="tracking", log_format="logfmt")
            self.pid = self.milter.pid

    def record(self, queue_id: str) -> dict:
        return log_record(self.milter, queue_id)


def log_record(milter, queue_id: str, timeout: float = 30.0) -> dict:
    """The milter's log line for a queue id (lines are filtered before parsing: some are megabytes)."""
    needle = f"queue_id={queue_id} "
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in milter.lines() if needle in line and " msg=message " in line]
        if lines:
            return parse_logfmt(lines[-1])
        if time.monotonic() > deadline:
            raise TimeoutError(f"no log line for queue_id={queue_id}; stderr tail:\n{milter.stderr()[-2000:]}")
        time.sleep(0.05)


def reset_peak_rss(pid: int) -> None:
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")   # resets VmHWM to the current RSS


def peak_rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


@pytest.fixture(scope="module")
def rig(e2e_module, tracking_bin):
    r = Rig(e2e_module, tracking_bin)
    yield r
    print("\n| input | SMTP reply | milter outcome | time (s) | milter peak RSS (MiB) |\n|---|---|---|---|---|")
    for name, reply, outcome, seconds, kib in r.figures:
        rss = f"{kib / 1024:.0f}" if kib else "?"
        print(f"| {name} | {reply} | {outcome} | {seconds:.1f} | {rss} |")


def send_and_wait(rig: Rig, msg: bytes):
    result = rig.postfix.send(SENDER, [RCPT], msg, timeout=300)
    delivered = None
    if result.ok:
        delivered = split_postfix_received(rig.postfix.wait_delivery_of(result.queue_id, timeout=120).data)[1]
    return result, delivered


def assert_still_serving(rig: Rig, pid: int) -> None:
    assert rig.milter.alive(), f"the milter died (exit {rig.milter.proc.poll()})"
    assert rig.milter.pid == pid
    msg = raw_message(header_lines("text/html; charset=utf-8"), LINKS_HTML)
    result, delivered = send_and_wait(rig, msg)
    assert result.ok, f"the next ordinary message was not accepted: {result}"
    assert len(TRACKED_URL.findall(delivered)) >= 3, "the next ordinary message was not tracked"
    assert rig.record(result.queue_id).get("outcome") == "rewritten"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_message(rig, case):
    rig.ensure_milter()
    pid = rig.milter.pid
    sent = case.build()
    reset_peak_rss(pid)
    started = time.monotonic()
    result, delivered = send_and_wait(rig, sent)
    seconds = time.monotonic() - started
    figure = [case.name, f"{result.code} {result.reply[:60]}", "", seconds, peak_rss_kib(pid)]
    rig.figures.append(figure)

    if case.outcome == "rejected":
        assert result.stage == "data" and 500 <= result.code < 600, result
        assert result.reply.startswith(case.reply), result
    else:
        assert result.ok, f"not accepted: {result}"
        record = rig.record(result.queue_id)
        figure[2] = f"{record.get('outcome')}" + (f" ({record.get('reason')})" if record.get("reason") else "")
        assert record.get("outcome") == case.outcome, record
        if case.reason is not None:
            assert case.reason in str(record.get("reason")), record
        if case.outcome == "unchanged":
            assert delivered == remove_header(sent, "X-MSYS-API"), "an unchanged message came out different"
        elif case.check is None:
            assert TRACKED_URL.search(delivered), "nothing tracked in a rewritten message"
        if case.check is not None:
            case.check(sent, delivered, record)
    assert_still_serving(rig, pid)


def test_growth_limit_when_tokens_may_be_large(e2e, tracking_bin):
    """The reviewer's message (big tags, 1,000 links) with max_token_bytes raised out of
    the way: max_growth passes it unchanged, after a handful of sealed links, not 80 MB."""
    milter = start_tracking(e2e, tracking_bin, "unix",
                            {"milter": {"recipient_mode": "split"}, "limits": {"max_token_bytes": 65536}})
    postfix = e2e.postfix(milter=milter.socket, main_cf=POSTFIX_LIMITS)
    api = json.dumps({"tags": ["a" * 25_000, "b" * 25_000],
                      "options": {"open_tracking": True, "click_tracking": True}})
    sent = raw_message(header_lines("text/html; charset=utf-8", api=api), html_links(1000))
    reset_peak_rss(milter.pid)
    result = postfix.send(SENDER, [RCPT], sent)
    assert result.ok, result
    delivered = split_postfix_received(postfix.wait_delivery_of(result.queue_id).data)[1]
    assert delivered == remove_header(sent, "X-MSYS-API")
    record = log_record(milter, result.queue_id)
    assert record.get("outcome") == "unchanged" and record.get("reason") == "max_growth exceeded (10)", record
    assert int(record.get("links_tracked")) < 20, record
    assert peak_rss_kib(milter.pid) < 100 * 1024

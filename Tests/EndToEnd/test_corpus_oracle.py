"""tracking-milter's rewriter over the shared corpus, judged by independent parsers.

Every corpus message (``messages/*.eml``, as it is) and every bare HTML body
(``html/*.html``, wrapped by Python's ``email`` into a quoted-printable and a
base64 message: ids ``NAME-qp`` / ``NAME-b64``) goes through
``tracking-milter rewrite --rcpt rcpt@example.com`` with open and click tracking on
and ``rewrite_signed: true``; ``oracle.checks`` then compares input and output:

  check1 mime_tree  email (compat32) sees the same tree, parameters and boundaries
  check2 bytes      all but the displayed parts' bodies is byte-identical
  check3 content    displayed parts decode; html5lib tree / text equal after
                    replacing tracked URLs by their decoded targets, pixels removed
  check4 links      every eligible link tracked, no other touched; pixels placed
  check5 encoding   no data-msys-*; line lengths, QP/base64 validity, line ends
  check6 charset    non-ASCII-compatible charsets left alone, and logged
  log               the log line agrees with the output
  dkim              rewrite_signed: false leaves DKIM-signed messages byte-identical
  postfix           a sample through a real Postfix + milter: the same oracle, and
                    the same result as ``rewrite`` apart from tokens

Failures name the file, the part and what differs; ``oracle/known.py`` lists
findings that are limitations of the oracle (xfail with the reason).
Corpus: ``$TRACKING_CORPUS`` or /work/shared/corpus (every test skips without it).
Run: ``python3 -m pytest Tests/EndToEnd/test_corpus_oracle.py Tests/EndToEnd/test_oracle_selftest.py``
from the repo root (about 90 s; the Postfix tests need root and skip without it).
"""

from __future__ import annotations

import pytest

from harness.message import split_postfix_received, to_crlf
from harness.milter import message_record
from harness.programs import start_tracking
from oracle import charsets, checks, corpus, known, rawmime
from oracle.canonical import canonical
from oracle.runner import RCPT, SENDER, TRACKING, RewriteResult, Tool, has_rewrite_command

CASES = corpus.all_cases()
pytestmark = pytest.mark.skipif(corpus.corpus_missing_reason() is not None,
                                reason=corpus.corpus_missing_reason() or "")


def _params(cases):
    if corpus.corpus_missing_reason():
        return [pytest.param(None, id="corpus-missing")]
    return [pytest.param(c, id=c.id) for c in cases]


def _charset_cases():
    out = []
    for c in CASES:
        root = rawmime.parse(c.data())
        if any(p.is_displayed() and charsets.expectation(p.charset()) == "skip" for p in root.walk()):
            out.append(c)
    return out


DKIM_CASES = [c for c in CASES if c.variant == "message" and corpus.dkim_signed(c.data())]
CHARSET_CASES = _charset_cases()

# ~15 messages of mixed kinds for the real-Postfix run (SPEC 4 through an MTA)
POSTFIX_SAMPLE = [
    "mimekit__gmail.eml",                          # DKIM-signed alternative
    "mail__attachment_pdf.eml",                    # CRLF, QP text + base64 PDF
    "mail__attachment_pdf_lf.eml",                 # the same with LF (Postfix makes it CRLF)
    "mail__attachment_message_rfc822.eml",         # forwarded message/rfc822
    "mail__content_transfer_encoding_with_8bits.eml",  # 75 links, <area>, invalid CTE
    "flanker__long-links.eml",                     # lines near 1000 octets in an HTML part
    "spamscope__mail_test_13.eml",                 # MailChimp, QP, 31 [if mso] blocks
    "postalmime__calendar-event.eml",              # tel:/mailto:, &amp; hrefs, text/calendar
    "mime4j__2002_06_12_doublebound.eml",          # doubled boundary lines, 61 links
    "phpmmp__m0015.eml",                           # 8bit lines over 998 octets
    "rspamd__url_query_nesting.eml",               # text/plain URLs inside URLs
    "spamassassin__spam-utf16.eml",                # UTF-16 parts: left alone
    "mailparser__nodemailer.eml",                  # mixed > alternative > related, DKIM
    "stalwart__003.eml",                           # mixed CRLF/LF, binary parts
    "cerberus__cerberus-hybrid.html-qp",           # bare template, QP
    "colorlib__1-index.html-b64",                  # bare template, base64
    "spamassassin__nice-cjk-iso-2022-jp.eml",      # starts with an mbox "From " line
    "flanker__iphone.eml",                         # starts with a line of spaces
    "phpmmp__issue84.eml",                         # header block broken by unfolded lines
]
SAMPLE_CASES = [c for c in CASES if c.id in POSTFIX_SAMPLE]


# ---- fixtures ---------------------------------------------------------------------

class OracleRun:
    """Rewrites every case once (in parallel, on first use) and judges lazily."""

    def __init__(self, tool: Tool):
        self.tool = tool
        self._results: dict | None = None
        self._verdicts: dict = {}
        self._unsigned: dict | None = None

    def result(self, case) -> RewriteResult:
        if self._results is None:
            self._results = self.tool.rewrite_many({c: c.data() for c in CASES}, rewrite_signed=True)
        return self._results[case]

    def verdict(self, case) -> checks.Verdict:
        if case not in self._verdicts:
            self._verdicts[case] = checks.judge(case.data(), self.result(case), self.tool.decode)
        return self._verdicts[case]

    def unsigned(self, case) -> RewriteResult:
        if self._unsigned is None:
            self._unsigned = self.tool.rewrite_many({c: c.data() for c in DKIM_CASES}, rewrite_signed=False)
        return self._unsigned[case]


@pytest.fixture(scope="module")
def oracle(tracking_bin, e2e_module):
    if not has_rewrite_command(tracking_bin):
        pytest.skip(f"{tracking_bin} has no `rewrite` subcommand yet (rebuild with `swift build`)")
    return OracleRun(Tool(tracking_bin, e2e_module))


def _need(case):
    if case is None:
        pytest.skip(corpus.corpus_missing_reason())
    return case


def expect_clean(v: checks.Verdict, case, check: str) -> None:
    findings = v.of(check)
    reason = known.reason(case.id, check)
    if findings and reason:
        pytest.xfail(f"oracle limitation: {reason} | " + "; ".join(str(f) for f in findings)[:600])
    if findings:
        pytest.fail(f"{case.id}: {len(findings)} finding(s)\n" + "\n".join(str(f) for f in findings[:12]),
                    pytrace=False)


# ---- the oracle's own consistency (no binary needed) -------------------------------

@pytest.mark.parametrize("case", _params([c for c in CASES if c.variant == "message"]))
def test_check0_splitter_agrees_with_email(case):
    """The raw splitter (byte offsets) and email (compat32) see the same tree and payloads."""
    data = _need(case).data()
    assert rawmime.cross_check(data) is None, rawmime.cross_check(data)


# ---- per-file checks -------------------------------------------------------------------

@pytest.mark.parametrize("case", _params(CASES))
def test_check1_mime_tree(case, oracle):
    expect_clean(oracle.verdict(_need(case)), case, "mime_tree")


@pytest.mark.parametrize("case", _params(CASES))
def test_check2_bytes_outside_displayed_parts(case, oracle):
    expect_clean(oracle.verdict(_need(case)), case, "bytes")


@pytest.mark.parametrize("case", _params(CASES))
def test_check3_content_after_url_replacement(case, oracle):
    expect_clean(oracle.verdict(_need(case)), case, "content")


@pytest.mark.parametrize("case", _params(CASES))
def test_check4_eligible_links_and_pixels(case, oracle):
    expect_clean(oracle.verdict(_need(case)), case, "links")


@pytest.mark.parametrize("case", _params(CASES))
def test_check5_encoding_and_line_lengths(case, oracle):
    expect_clean(oracle.verdict(_need(case)), case, "encoding")


@pytest.mark.parametrize("case", _params(CHARSET_CASES))
def test_check6_other_charsets_left_alone(case, oracle):
    v = oracle.verdict(_need(case))
    assert v.charset_parts, "expected a part in a charset that is not ASCII-compatible"
    expect_clean(v, case, "charset")


@pytest.mark.parametrize("case", _params(CASES))
def test_log_line_matches_output(case, oracle):
    expect_clean(oracle.verdict(_need(case)), case, "log")


@pytest.mark.parametrize("case", _params(DKIM_CASES))
def test_dkim_signed_unchanged_without_rewrite_signed(case, oracle):
    data = _need(case).data()
    r = oracle.unsigned(case)
    assert r.returncode == 0, r.log_text
    expected = checks.strip_api_header(data, rawmime.parse(data))
    if r.output != expected:
        i = checks.first_diff(expected, r.output)
        pytest.fail(f"{case.id}: DKIM-signed message changed with rewrite_signed: false, at offset {i}: "
                    f"in {checks._context(expected, i)} / out {checks._context(r.output, i)}", pytrace=False)
    rec = r.log or {}
    assert rec.get("outcome") == "unchanged", rec
    if oracle.result(case).output != data:
        # rewrite_signed: true changes it, so false must have left it alone because of DKIM
        assert "dkim" in str(rec.get("reason", "")).lower(), f"reason should say DKIM: {rec}"


# ---- through a real Postfix ---------------------------------------------------------------
#
# Postfix itself edits some messages on the way in (CRLF line ends; a leading mbox "From "
# line becomes "X-Mailbox-Line:"; Return-Path is dropped; a header block that does not
# start with a header field gets an empty line before it), so the reference is the same
# message through a second Postfix without the milter: what the milter was given.

def wire_form(data: bytes) -> bytes:
    """The message as sent over SMTP: CRLF line ends, ending in CRLF."""
    data = to_crlf(data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class PostfixRun:
    CONTENT_TIMEOUT = 20       # seconds Postfix waits for the milter at end of message

    def __init__(self, milter, pf, plain):
        self.milter = milter
        self.pf = pf
        self.plain = plain
        self.sent = {}          # case id -> SendResult through the milter
        self.baseline = {}      # case id -> SendResult through the plain Postfix

    def delivered(self, case):
        """(what the milter was given, what Postfix delivered after the milter), both without
        Postfix's Received field."""
        base = self.baseline[case.id]
        if not base.ok:
            pytest.fail(f"the plain Postfix refused {case.id}: {base}", pytrace=False)
        res = self.sent[case.id]
        if not res.ok:
            pytest.fail(f"Postfix with tracking-milter did not accept {case.id}: {res.code} {res.reply} "
                        f"(milter_content_timeout {self.CONTENT_TIMEOUT}s; see the maillog)", pytrace=False)
        given = split_postfix_received(self.plain.wait_delivery_of(base.queue_id, timeout=60).data)[1]
        d = self.pf.wait_delivery_of(res.queue_id, timeout=60)
        return given, split_postfix_received(d.data)[1], d


@pytest.fixture(scope="module")
def postfix_run(needs_postfix, oracle, tracking_bin, e2e_module):
    if not SAMPLE_CASES:
        pytest.skip(corpus.corpus_missing_reason() or "no sample case in the corpus")
    plain = e2e_module.postfix()
    milter = start_tracking(e2e_module, tracking_bin, "unix", {
        "tracking": dict(TRACKING), "milter": {"rewrite_signed": True},
        "keys": {"file": str(oracle.tool.keys)}})
    pf = e2e_module.postfix(milter=milter.socket,
                            main_cf={"milter_content_timeout": f"{PostfixRun.CONTENT_TIMEOUT}s"})
    run = PostfixRun(milter, pf, plain)
    for case in SAMPLE_CASES:
        wire = wire_form(case.data())
        run.baseline[case.id] = plain.send(SENDER, [RCPT], wire)
        run.sent[case.id] = pf.send(SENDER, [RCPT], wire, timeout=PostfixRun.CONTENT_TIMEOUT + 30)
    return run


@pytest.mark.parametrize("case", _params(SAMPLE_CASES))
def test_postfix_delivery_passes_oracle_and_matches_rewrite(case, oracle, postfix_run):
    case = _need(case)
    given, delivered, d = postfix_run.delivered(case)
    rec = postfix_run.milter.wait_record(message_record(queue_id=d.queue_id),
                                         what=f"log line of {d.queue_id}")
    v = checks.judge(given, RewriteResult(given, delivered, "", 0, rec), oracle.tool.decode)
    problems = [str(f) for c in checks.CHECKS for f in v.of(c) if not known.reason(case.id, c)]
    cli = oracle.tool.rewrite(given)
    a, b = canonical(delivered, oracle.tool.decode), canonical(cli.output, oracle.tool.decode)
    if a != b:
        i = checks.first_diff(a, b)
        problems.append(f"[postfix-vs-rewrite] the delivered copy differs from `rewrite` of the same input "
                        f"(tokens decoded) at offset {i}: postfix {checks._context(a, i)} / "
                        f"rewrite {checks._context(b, i)}")
    if problems:
        pytest.fail(f"{case.id} through Postfix:\n" + "\n".join(problems[:12]), pytrace=False)


# ---- minimal reproducers of what the corpus run found ---------------------------------------

def test_reproducer_leading_mbox_from_line(oracle):
    """A file that starts with an mbox "From " line (15 corpus messages do): email reads it
    as the envelope line, Postfix turns it into "X-Mailbox-Line:" and both go on with the
    header block. ``rewrite`` must not treat the whole message as a headerless text body."""
    msg = (b"From someone@example.com Mon Dec 16 14:31:36 2002\n"
           b"X-URI: http://example.com/header-url\nSubject: t\n"
           b"Content-Type: text/html; charset=utf-8\n\n"
           b'<html><body><a href="http://example.com/">x</a></body></html>\n')
    r = oracle.tool.rewrite(msg)
    assert b"X-URI: http://example.com/header-url\n" in r.output, \
        "a URL in a header field was rewritten:\n" + r.output.decode(errors="replace")[:400]
    assert (r.log or {}).get("pixels") == "2", f"the HTML part was not recognised: {r.log}"


def test_reproducer_message_without_header_fields_through_postfix(needs_postfix, tracking_bin, e2e):
    """A message whose first line is not a header field reaches the milter with no header
    at all. Postfix must get an answer at end of message (tracking off, even)."""
    milter = start_tracking(e2e, tracking_bin, "unix")
    pf = e2e.postfix(milter=milter.socket, main_cf={"milter_content_timeout": "10s"})
    for msg in (b"not a header\r\nSubject: x\r\n\r\nhello\r\n",
                b"   \r\nSubject: x\r\n\r\nhello\r\n"):
        res = pf.send(SENDER, [RCPT], msg, timeout=30)
        assert res.ok, (f"{msg[:20]!r}...: {res.code} {res.reply} (Postfix waited 10 s for the "
                        f"end-of-message reply; maillog: {pf.maillog()[-400:]})")


# ---- ISO-2022-JP: tracked in ASCII state, the decoded text unchanged ---------------------------

def _iso2022jp_message(cte: str, html_extra: str = "") -> bytes:
    """A Japanese newsletter as Python's email writes it: text and HTML in ISO-2022-JP, with
    links after and before Japanese text, a Japanese link name and an href holding Japanese."""
    import email.charset
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText
    text = "詳細はhttp://example.com/jp/textをご覧ください。\nhttps://example.com/b?x=1 です。\n"
    html = ("<html><head><title>お知らせ</title></head><body><p>こんにちは</p>"
            '<p><a href="https://example.com/jp/a" data-msys-linkname="ボタン">セール</a></p>'
            '<p><a href="http://example.com/日本">日本</a> <a href="http://example.com/&#26085;">ref</a></p>'
            + html_extra + "</body></html>\n")
    msg = MIMEMultipart("alternative")
    msg["Subject"] = "test"
    msg["From"] = "a@example.com"
    msg["To"] = RCPT
    for body, sub in ((text, "plain"), (html, "html")):
        part = MIMEText("", sub, "iso-2022-jp")
        del part["Content-Transfer-Encoding"]
        payload = body.encode("iso2022_jp")
        if cte == "7bit":
            part.set_payload(payload.decode("ascii"))
        elif cte == "quoted-printable":
            import quopri
            part.set_payload(quopri.encodestring(payload).decode("ascii"))
        else:
            import base64
            part.set_payload(base64.encodebytes(payload).decode("ascii"))
        part["Content-Transfer-Encoding"] = cte
        msg.attach(part)
    return msg.as_bytes().replace(b"\n", b"\r\n")


@pytest.mark.parametrize("cte", ["7bit", "quoted-printable", "base64"])
def test_iso2022jp_links_tracked_and_text_unchanged(oracle, cte):
    """The judge reads ISO-2022-JP parts with Python's codec: the text outside links must be
    equal, the output must decode without errors, the ASCII links are tracked (the one whose
    href holds Japanese is left alone), the pixels are placed."""
    data = _iso2022jp_message(cte)
    r = oracle.tool.rewrite(data)
    v = checks.judge(data, r, oracle.tool.decode)
    problems = [str(f) for c in checks.CHECKS for f in v.of(c)]
    assert not problems, "\n".join(problems[:12])
    rec = r.log or {}
    # text: 2 URLs; HTML: /jp/a and the character reference (the href with kanji is left alone)
    assert rec.get("links_tracked") == "4", rec
    assert rec.get("pixels") == "2", rec
    assert "stateful_charset" in str(rec.get("links_skipped", "")), rec
    assert b"\x1b$B" in r.output or cte != "7bit"


def test_iso2022jp_pixel_after_unfinished_jis_run_decodes(oracle):
    """An HTML part that ends inside a JIS run (no </body>, no return to ASCII): the bottom
    pixel is wrapped in ESC ( B, and the output still decodes as ISO-2022-JP."""
    body = "<p>".encode() + "日本語".encode("iso2022_jp").rstrip(b"\x1b(B")
    data = (b"From: a@example.com\r\nTo: rcpt@example.com\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/html; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + body + b"\r\n")
    r = oracle.tool.rewrite(data)
    assert (r.log or {}).get("pixels") == "2", r.log_text
    out_body = r.output.split(b"\r\n\r\n", 1)[1]
    text = out_body.decode("iso2022_jp")      # strict: no error
    assert "日本語" in text and text.count("<img ") == 2, text
    v = checks.judge(data, r, oracle.tool.decode)
    problems = [str(f) for c in ("content", "encoding", "charset", "log") for f in v.of(c)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("value", ["7bit;", "Quoted-Printable", "base64 ", "8bits", "quoted-printable; x"])
def test_lenient_transfer_encoding_is_rewritten_and_header_kept(oracle, value):
    """Malformed Content-Transfer-Encoding values that clients read (first token, any case)
    are decoded the same way by the rewriter and the judge; the header stays as it was."""
    import base64
    import quopri
    html = b'<html><body><a href="http://example.com/cte">x</a></body></html>\r\n'
    name = value.strip().split(";")[0].strip().lower()
    body = {"quoted-printable": quopri.encodestring(html), "base64": base64.encodebytes(html)}.get(name, html)
    data = (b"From: a@example.com\r\nTo: rcpt@example.com\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: " + value.encode()
            + b"\r\n\r\n" + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    r = oracle.tool.rewrite(data)
    assert (r.log or {}).get("outcome") == "rewritten", r.log_text
    assert b"Content-Transfer-Encoding: " + value.encode() + b"\r\n" in r.output
    v = checks.judge(data, r, oracle.tool.decode)
    problems = [str(f) for c in checks.CHECKS for f in v.of(c)]
    assert not problems, "\n".join(problems[:12])
    assert (r.log or {}).get("links_tracked") == "1", r.log_text

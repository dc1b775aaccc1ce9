"""The corpus oracle judged on hand-made messages (no binary, no corpus needed).

``oracle.fake.FakeTool`` is a small Python rewriter that follows SPEC 4-5; the
oracle must find nothing wrong with its output, and must report each mistake
the fake can be told to make under the right check. This keeps the oracle
honest while the real rewriter (``test_corpus_oracle.py``) is judged by it.
"""

from __future__ import annotations

import base64
import email.policy

import pytest

from oracle import checks, corpus, htmltree, rawmime
from oracle.fake import FakeTool

CRLF = "\r\n"

HTML = """<!DOCTYPE html>
<html><head><title>t</title><style>a[href="http://style.example/"] {}</style></head>
<body class="x">
<p>Hi <a href="http://example.com/offer?x=1&amp;y=2" data-msys-linkname="offer">offer</a>
<a href = 'https://example.org/' >site</a> <a href=http://unquoted.example/p>u</a>
<a href="mailto:a@example.com">mail</a> <a href="tel:+123">tel</a> <a href="#top">top</a>
<a href="/relative">rel</a> <a href="javascript:void(0)">js</a>
<a href="http://example.net/no" data-msys-clicktrack="0">opted out</a>
<a href="http://example.net/unsub" data-msys-unsubscribe="1">unsubscribe</a>
<a href="  http://example.net/spaced  ">spaced</a>
<a href="http://track.example.test/f/a/already">ours</a>
<map><area href="http://example.com/area" shape="rect" coords="0,0,1,1"></map>
<a href="http://example.com/q?a=1&copy=2">not an entity in an attribute</a></p>
<!--[if mso]><table><tr><td><a href="http://example.com/mso">mso</a></td></tr></table><![endif]-->
<!-- <a href="http://example.com/in-a-plain-comment">plain comment</a> -->
<script>var s = '<a href="http://example.com/in-script">';</script>
<template><a href="http://example.com/in-template">t</a></template>
</body></html>
"""

TEXT = ("Hello, see http://example.com/a?b=c. Or (https://example.org/x_(y)) and\n"
        "<http://example.net/angle> or mailto:a@example.com.\n")


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode()


def mixed_message(eol: str = CRLF) -> bytes:
    """mixed > [alternative > [text/plain QP, text/html QP], pdf, text attachment, message/rfc822]."""
    qp_text = TEXT.replace("\n", eol)
    import quopri
    qp_html = quopri.encodestring(HTML.encode()).decode().replace("\n", eol)
    rfc822 = ("From: a@example.com" + eol + "Content-Type: text/html" + eol + eol +
              '<a href="http://example.com/forwarded">fwd</a>' + eol)
    lines = [
        "From: Sender <sender@example.com>", "To: <rcpt@example.com>", "Subject: oracle self-test",
        "Message-ID: <selftest@example.com>", "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="outer"', "",
        "preamble text", "--outer",
        'Content-Type: multipart/alternative; boundary="inner"', "",
        "--inner", "Content-Type: text/plain; charset=us-ascii",
        "Content-Transfer-Encoding: quoted-printable", "", qp_text.rstrip(eol),
        "--inner", "Content-Type: text/html; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable", "", qp_html.rstrip(eol),
        "--inner--", "",
        "--outer", "Content-Type: application/pdf", "Content-Transfer-Encoding: base64",
        'Content-Disposition: attachment; filename="a.pdf"', "",
        b64(b"%PDF-1.4 http://example.com/in-pdf \x00\x01\x02" * 5).rstrip("\n").replace("\n", eol),
        "--outer", "Content-Type: text/plain", 'Content-Disposition: attachment; filename="a.txt"', "",
        "attached http://example.com/attached",
        "--outer", "Content-Type: message/rfc822", "", rfc822.rstrip(eol),
        "--outer--", "epilogue", "",
    ]
    return eol.join(lines).encode()


def utf16_message() -> bytes:
    body = '<html><body><a href="http://example.com/">x</a></body></html>'.encode("utf-16")
    return ("From: a@example.com\r\nTo: b@example.com\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/html; charset=utf-16\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64(body).replace("\n", "\r\n")).encode()


def long_line_message() -> bytes:
    html = "<html><body><p>" + "word " * 300 + '<a href="http://example.com/long">l</a></p></body></html>'
    return ("From: a@example.com\nTo: b@example.com\nMIME-Version: 1.0\n"
            "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + html + "\n").encode()


def judge(data: bytes, bug: str | None = None):
    tool = FakeTool(bug=bug)
    return checks.judge(data, tool.rewrite(data), tool.decode)


def all_findings(v) -> list:
    return [f for c in checks.CHECKS for f in v.of(c)]


@pytest.mark.parametrize("make", [mixed_message, lambda: mixed_message("\n"), utf16_message,
                                  long_line_message],
                         ids=["mixed-crlf", "mixed-lf", "utf16", "long-line"])
def test_correct_rewrite_passes(make):
    data = make()
    v = judge(data)
    assert not all_findings(v), "\n".join(map(str, all_findings(v)))


def test_correct_rewrite_really_rewrote():
    data = mixed_message()
    out = FakeTool().rewrite(data)
    v = checks.judge(data, out, FakeTool().decode)
    html_part = next(p for p in v.parts if p.raw_in.content_type == "text/html")
    text_part = next(p for p in v.parts if p.raw_in.content_type == "text/plain")
    # offer, site, unquoted, unsub, spaced, area, &copy, mso (+ 2 pixels)
    assert html_part.tracked == 8 and html_part.pixels == 2
    assert text_part.tracked == 3
    assert [p.raw_in.path for p in v.parts] == ["1.1", "1.2"]     # attachments, rfc822 are not displayed


@pytest.mark.parametrize("bug,check,data", [
    ("skip-mailto-check", "links", mixed_message),
    ("miss-conditional", "links", mixed_message),
    ("add-attribute", "content", mixed_message),
    ("respace-tag", "content", mixed_message),
    ("bad-target", "content", mixed_message),
    ("touch-attachment", "bytes", mixed_message),
    ("change-boundary", "mime_tree", mixed_message),
    ("long-qp", "encoding", mixed_message),
    ("keep-msys", "encoding", mixed_message),
    ("pixel-after-body-text", "links", mixed_message),
    ("rewrite-utf16", "charset", utf16_message),
])
def test_each_mistake_is_caught(bug, check, data):
    v = judge(data(), bug)
    assert v.of(check), f"{bug} not reported under {check}; all: {list(map(str, all_findings(v)))}"


def test_unchanged_output_misses_links_and_pixels():
    data = mixed_message()
    from oracle.runner import RewriteResult
    v = checks.judge(data, RewriteResult(data, data, "msg=message outcome=unchanged\n", 0,
                                         {"msg": "message", "outcome": "unchanged"}), FakeTool().decode)
    assert v.of("links") and not v.of("bytes") and not v.of("mime_tree")


def test_html_view_sees_conditional_comment_links():
    view = htmltree.html_view(HTML)
    hrefs = {(l.href, l.in_conditional) for l in view.links}
    assert ("http://example.com/mso", True) in hrefs
    assert not any("in-script" in (l.href or "") or "plain-comment" in (l.href or "") for l in view.links)
    elig = {l.href: l.eligibility("track.example.test")[0] for l in view.links}
    assert elig["http://example.com/in-template"] == "no"
    assert elig["mailto:a@example.com"] == "no" and elig["  http://example.net/spaced  "] == "yes"
    assert elig["http://example.com/q?a=1&copy=2"] == "yes"      # html5lib leaves &copy= alone in attributes
    assert elig["http://track.example.test/f/a/already"] == "no"


def test_rawmime_offsets_follow_email():
    data = mixed_message()
    root = rawmime.parse(data)
    assert rawmime.cross_check(data, root) is None
    kinds = [(p.path, p.content_type, p.is_displayed()) for p in root.walk()]
    assert kinds == [("", "multipart/mixed", False), ("1", "multipart/alternative", False),
                     ("1.1", "text/plain", True), ("1.2", "text/html", True),
                     ("2", "application/pdf", False), ("3", "text/plain", False),
                     ("4", "message/rfc822", False)]


def test_wrapped_html_is_valid_mime():
    html = b"<html><body><a href='http://example.com/'>x</a>\n" + "é".encode() * 400 + b"</body></html>\n"
    for variant in ("qp", "b64"):
        data = corpus.wrap_html(html, "x.html", variant)
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        assert msg.get_content_type() == "text/html"
        assert msg.get_payload(decode=True).replace(b"\r\n", b"\n") == html
        assert max(len(x) for x in data.splitlines()) <= 76


def iso2022jp_message() -> bytes:
    html = ('<html><body><p>日本語のお知らせ</p><a href="http://example.com/jp">リンク</a>'
            "<p>詳細はhttp://example.com/text をご覧ください</p></body></html>").encode("iso2022_jp")
    return (b"From: a@example.com\r\nTo: b@example.com\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/html; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + html + b"\r\n")


def test_iso2022jp_part_is_judged_as_decoded_text():
    """ISO-2022-JP parts are rewritten (not skipped) and compared after Python's codec: a
    correct rewrite passes, an escape moved where it changes nothing passes, a changed JIS
    byte and an output that no longer decodes are caught."""
    from oracle.runner import RewriteResult
    data = iso2022jp_message()
    good = FakeTool().rewrite(data)
    v = checks.judge(data, good, FakeTool().decode)
    assert not all_findings(v), "\n".join(map(str, all_findings(v)))
    assert v.parts[0].tracked == 1 and v.parts[0].pixels == 2

    def variant(out: bytes):
        return checks.judge(data, RewriteResult(data, out, good.log_text, 0, good.log), FakeTool().decode)
    # An extra ESC ( B ... ESC $ B pair around nothing: the same text.
    moved = good.output.replace(b"\x1b$B", b"\x1b$B\x1b(B\x1b$B", 1)
    assert not variant(moved).of("content"), list(map(str, all_findings(variant(moved))))
    i = good.output.index(b"\x1b$B") + 3
    changed = good.output[:i] + bytes([good.output[i] ^ 1]) + good.output[i + 1:]
    assert variant(changed).of("content")
    broken = good.output.replace(b"\x1b(B", b"\x1b(Z", 1)
    assert any("no longer decodes" in str(f) for f in variant(broken).of("content"))

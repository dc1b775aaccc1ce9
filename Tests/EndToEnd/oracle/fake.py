"""A small Python stand-in for ``tracking-milter rewrite``/``decode``, for testing the oracle.

It follows the same contract (SPEC 4-5) closely enough that the oracle should
find nothing wrong with it on well-formed input, and it can be told to make
specific mistakes (``FakeTool(bug=...)``) so the self-tests can prove that each
check catches what it is meant to catch. Tokens are not sealed: they are the
base64url of a JSON record, which ``decode`` reads back.
"""

from __future__ import annotations

import base64
import html
import json
import re

from . import charsets, rawmime
from .htmltree import attr_unescape
from .checks import STANDARD_CTE, decode_payload, norm_cte
from .runner import RCPT, TRACKING_DOMAIN, RewriteResult

BUGS = ("skip-mailto-check", "miss-conditional", "add-attribute", "touch-attachment", "long-qp",
        "pixel-after-body-text", "rewrite-utf16", "keep-msys", "change-boundary", "bad-target",
        "respace-tag")


def _token(rec: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(rec, sort_keys=True).encode()).decode().rstrip("=")


def _untoken(tok: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4)))


class FakeTool:
    def __init__(self, bug: str | None = None, domain: str = TRACKING_DOMAIN, rcpt: str = RCPT):
        assert bug is None or bug in BUGS, bug
        self.bug = bug
        self.domain = domain
        self.rcpt = rcpt

    # ---- URLs ----------------------------------------------------------------
    def click(self, target: str, name: str | None = None, unsubscribe: bool = False) -> str:
        rec = {"type": "link_unsubscribe" if unsubscribe else "click", "target_link_url": target,
               "target_link_name": (name or "Raw URL")[:63], "rcpt_to": self.rcpt}
        return f"http://{self.domain}/f/a/{_token(rec)}"

    def pixel(self, initial: bool) -> str:
        rec = {"type": "initial_open" if initial else "open", "rcpt_to": self.rcpt}
        return f"http://{self.domain}/q/{_token(rec)}"

    def decode(self, urls) -> dict:
        out = {}
        for u in urls:
            try:
                out[u] = _untoken(u.rsplit("/", 1)[1])
            except Exception as e:  # noqa: BLE001 - report like the real tool
                out[u] = {"error": str(e), "url": u}
        return out

    # ---- the rewrite -------------------------------------------------------------
    def rewrite(self, data: bytes) -> RewriteResult:
        root = rawmime.parse(data)
        edits = []
        stats = {"tracked": 0, "pixels": 0, "parts": 0}
        html_index = 0
        notes = []
        for p in root.walk():
            if not p.is_displayed():
                if self.bug == "touch-attachment" and p.kind == "leaf" and p.body_start < p.payload_end:
                    edits.append((p.payload_end - 1, p.payload_end, b"X", None))
                continue
            first_html = False
            if p.content_type == "text/html":
                first_html = html_index == 0
                html_index += 1
            if charsets.expectation(p.charset()) != "rewrite" and self.bug != "rewrite-utf16":
                notes.append(f"charset {p.charset()} not ASCII-compatible; part left alone")
                continue
            if p.cte() not in STANDARD_CTE:
                continue
            raw = data[p.body_start:p.payload_end]
            decoded = decode_payload(raw, p.cte())
            codec = charsets.text_codec(p.charset()) if self.bug != "rewrite-utf16" else "latin-1"
            text = decoded.decode(codec, "surrogateescape")
            if p.content_type == "text/html":
                new = self._html(text, first_html, stats)
            else:
                new = self._text(text, stats)
            if new == text:
                continue
            stats["parts"] += 1
            newb = new.encode(codec, "surrogateescape")
            eol = b"\r\n" if b"\r\n" in data[p.body_start:p.end] else b"\n"
            cte = norm_cte(p.cte())
            header_change = None
            if cte == "quoted-printable":
                body = qp_encode(newb, eol, 76 if self.bug != "long-qp" else 200)
            elif cte == "base64":
                body = b"".join(base64.encodebytes(newb).splitlines(keepends=True)).replace(b"\n", eol)
                if not raw.endswith((b"\n", b"\r")):
                    body = body.rstrip(b"\r\n")
            else:
                if any(len(x) > 998 for x in newb.splitlines()):
                    body = qp_encode(newb, eol, 76)
                    header_change = b"quoted-printable"
                else:
                    body = newb
            edits.append((p.body_start, p.payload_end, body, None))
            if header_change:
                edits.append(self._cte_edit(data, p, header_change, eol))
        if self.bug == "change-boundary" and root.kind == "multipart":
            b = root.boundary_lines[0]
            edits.append((b.start + 2, b.start + 3, b"Z", None))
        out = bytearray(data)
        for s, e, rep, _ in sorted(edits, key=lambda t: t[0], reverse=True):
            out[s:e] = rep
        out = bytes(out)
        outcome = "rewritten" if out != data else "unchanged"
        reason = "; ".join(notes)
        log = (f'level=info msg=message outcome={outcome} reason="{reason}" parts={stats["parts"]} '
               f'links_tracked={stats["tracked"]} pixels={stats["pixels"]}')
        from harness.logparse import parse_logfmt
        return RewriteResult(data, out, log + "\n", 0, parse_logfmt(log))

    def _cte_edit(self, data, p, value: bytes, eol: bytes):
        for f in p.headers(data):
            if f.lname == "content-transfer-encoding":
                return (f.start, f.start + len(f.raw), b"Content-Transfer-Encoding: " + value + eol, None)
        return (p.header_end, p.header_end, b"Content-Transfer-Encoding: " + value + eol, None)

    # HTML: a rough tokenizer (comments, raw-text elements, tags); enough for tests
    TOKEN_RE = re.compile(r"<!--.*?-->|<(script|style|template)\b.*?</\1\s*>|<[a-zA-Z][^>]*>|</[a-zA-Z][^>]*>",
                          re.S | re.I)
    HREF_RE = re.compile(r"""((?:(?<=\s)|(?<=["']))href\s*=\s*)("([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
    MSYS_RE = re.compile(r"""\s+data-msys-[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)

    def _html(self, text: str, pixels: bool, stats) -> str:
        out = self._links(text, stats)
        if pixels:
            top = f'<img src="{self.pixel(True)}" width="1" height="1" alt="" style="display:none">'
            bottom = f'<img src="{self.pixel(False)}" width="1" height="1" alt="">'
            m = re.search(r"<body(?=[\s/>])[^>]*>", out, re.I)
            at = m.end() if m else 0
            if self.bug == "pixel-after-body-text":
                at += 1
            out = out[:at] + top + out[at:]
            closes = [m.start() for m in re.finditer(r"</body\s*>", out, re.I)]
            at = closes[-1] if closes else len(out)
            out = out[:at] + bottom + out[at:]
            stats["pixels"] += 2
        return out

    def _links(self, text: str, stats) -> str:
        def tok(m):
            s = m.group(0)
            if s.startswith("<!--"):
                inner = re.match(r"<!--(\[if\b[^\]]*\]>)(.*)(<!\[endif\]\s*)-->\Z", s, re.S | re.I)
                if inner and self.bug != "miss-conditional":
                    return "<!--" + inner.group(1) + self._links(inner.group(2), stats) + inner.group(3) + "-->"
                return s
            if m.group(1):
                return s
            if not re.match(r"<(a|area)\b", s, re.I):
                return s
            return self._tag(s, stats)
        return self.TOKEN_RE.sub(tok, text)

    def _tag(self, tag: str, stats) -> str:
        hm = self.HREF_RE.search(tag)
        if not hm:
            return tag
        val = next(g for g in hm.groups()[2:] if g is not None)
        target = attr_unescape(val).strip(" \t\n\f\r")
        opted_out = re.search(r"""data-msys-clicktrack\s*=\s*["']?0""", tag, re.I)
        ok = re.match(r"https?://", target) and not opted_out
        if self.bug == "skip-mailto-check":
            ok = ok or target.startswith("mailto:")
        if ok and re.match(rf"https?://{re.escape(self.domain)}(/|$)", target, re.I):
            ok = False
        if ok:
            stats["tracked"] += 1
            name = re.search(r"""data-msys-linkname\s*=\s*("([^"]*)"|'([^']*)')""", tag, re.I)
            unsub = re.search(r"""data-msys-unsubscribe\s*=\s*["']?1""", tag, re.I)
            url = self.click(target if self.bug != "bad-target" else target + "x",
                             html.unescape(name.group(2) or name.group(3) or "") if name else None,
                             bool(unsub))
            q = hm.group(2)[0] if hm.group(2)[0] in "\"'" else ""
            tag = tag[:hm.start(2)] + q + html.escape(url, quote=True) + q + tag[hm.end(2):]
        if self.bug != "keep-msys":
            tag = self.MSYS_RE.sub("", tag)
        if self.bug == "add-attribute" and ok:
            tag = tag[:-1] + " title=x>"     # html5lib sees the extra attribute
        if self.bug == "respace-tag" and ok:
            tag = tag.replace(" ", "  ", 1)  # html5lib cannot see this; the raw alignment can
        return tag

    URL_RE = re.compile(r"https?://[^\s<>\"]+", re.I)

    def _text(self, text: str, stats) -> str:
        def sub(m):
            url = m.group(0)
            tail = ""
            while url and url[-1] in ".,;:!?'":
                tail = url[-1] + tail
                url = url[:-1]
            while url.endswith(")") and url.count("(") < url.count(")"):
                tail = ")" + tail
                url = url[:-1]
            if re.match(rf"https?://{re.escape(self.domain)}(/|$)", url, re.I) or len(url) <= len("https://"):
                return m.group(0)
            stats["tracked"] += 1
            return self.click(url) + tail
        return self.URL_RE.sub(sub, text)


def qp_encode(data: bytes, eol: bytes, width: int = 76) -> bytes:
    """Quoted-printable (RFC 2045 6.7). Only ``eol`` sequences become hard line breaks;
    other CR/LF bytes are encoded (=0D, =0A), so the body keeps one line-ending style."""
    out = []
    for line in data.split(eol):
        enc = []
        for i, b in enumerate(line):
            last = i == len(line) - 1
            if (33 <= b <= 126 and b != 61) or (b in (9, 32) and not last):
                enc.append(bytes([b]))
            else:
                enc.append(b"=%02X" % b)
        cur, pieces = b"", []
        for e in enc:
            if len(cur) + len(e) > width - 1:
                pieces.append(cur + b"=")
                cur = b""
            cur += e
        pieces.append(cur)
        out.append(eol.join(pieces))
    return eol.join(out)

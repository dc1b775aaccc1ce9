"""The oracle: what must hold between a message and tracking-milter's rewrite of it.

``judge(input, result, decode)`` runs every check and returns findings per check:

``mime_tree``   1. email (compat32) sees the same tree: content types, parameters
                   (boundaries included), multipart-ness, part count, in order.
``bytes``       2. Everything but the bodies of displayed text parts is byte-identical
                   (headers, boundary lines, preamble, epilogue, every other part); the
                   only header edits allowed are X-MSYS-API removed and a displayed
                   part's Content-Transfer-Encoding switched to quoted-printable.
``content``     3. Every displayed part decodes; with tracked URLs replaced by their
                   decoded targets and open pixels removed, html5lib builds the same
                   tree (text/html) or the text is equal (text/plain).
``links``       4. Every eligible link is tracked (decodes to its entity-decoded,
                   trimmed href, for our recipient) and no other one is touched; open
                   pixels only in the first HTML part, top and bottom, right after
                   ``<body ...>`` and right before ``</body>``.
``encoding``    5. No ``data-msys-*`` left; rewritten parts: QP/base64 lines <= 76 and
                   valid, other lines <= 998 octets, line ends kept; no new line over
                   998 octets anywhere.
``charset``     6. Parts in charsets that are not ASCII-compatible are left alone and
                   the log line says why.
``log``            The log line agrees with the output (outcome, links_tracked, pixels).

A *displayed* part (SPEC 4) is a text/html or text/plain leaf that is not
``Content-Disposition: attachment`` and not inside message/*; ``rawmime`` and
email agree on the tree for the whole corpus (``rawmime.cross_check``).
"""

from __future__ import annotations

import base64
import email
import email.policy
import quopri
import re
from dataclasses import dataclass, field
from email._encoded_words import decode_b

from . import charsets, htmltree, rawmime
from .runner import RCPT, TRACKING_DOMAIN, RewriteResult

CHECKS = ("mime_tree", "bytes", "content", "links", "encoding", "charset", "log")

_TD = re.escape(TRACKING_DOMAIN)
CLICK_RE = re.compile(rf"https?://{_TD}/f/[^/\s\"'<>]+/[A-Za-z0-9_-]+\Z")
OPEN_RE = re.compile(rf"https?://{_TD}/q/[A-Za-z0-9_-]+\Z")
TRACKED_IN_TEXT = re.compile(rf"https?://{_TD}/(?:f/[A-Za-z0-9._~%!$&'()*+,;=:@-]+|q)/[A-Za-z0-9_-]+".encode())
PIXEL_TAG_RE = re.compile(
    rf"<img\b[^>]*?\bsrc\s*=\s*[\"']?(https?://{_TD}/q/[A-Za-z0-9_-]+)[\"']?[^>]*>", re.I)
BODY_OPEN_RE = re.compile(r"<body(?=[\s/>])[^>]*>", re.I)
BODY_CLOSE_RE = re.compile(r"</body\s*>", re.I)
HTML_CLOSE_RE = re.compile(r"</html\s*>", re.I)
URL_START_RE = re.compile(rb"https?://", re.I)
LINE_RE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")

STANDARD_CTE = {None, "7bit", "8bit", "binary", "quoted-printable", "base64"}
CLICK_TYPES = ("click", "link_unsubscribe")


@dataclass
class Finding:
    check: str
    where: str
    what: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.where}: {self.what}"


@dataclass
class PartInfo:
    raw_in: rawmime.RawPart
    raw_out: rawmime.RawPart
    expectation: str                  # rewrite | skip | either
    why: str                          # for skip / either
    changed: bool
    html_index: int | None = None     # 0 = the first displayed HTML part (pixels go there)
    pixel_tags: list = field(default_factory=list)   # open-pixel URLs of <img> tags in the output text
    _out_view: object = None
    decoded_in: bytes = b""
    decoded_out: bytes = b""
    tracked: int = 0                  # click URLs found in the output
    pixels: int = 0
    stateful: bool = False            # ISO-2022: decoded_in/out hold the text as UTF-8
    undecodable: bool = False         # ISO-2022 input that Python's codec cannot decode


@dataclass
class Verdict:
    findings: dict = field(default_factory=lambda: {c: [] for c in CHECKS})
    parts: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    charset_parts: list = field(default_factory=list)   # (path, charset) expected to be skipped

    def add(self, check: str, where: str, what: str) -> None:
        self.findings[check].append(Finding(check, where, what))

    def of(self, check: str) -> list:
        return self.findings[check]


# ---- helpers -------------------------------------------------------------------

def norm_cte(value: str | None) -> str | None:
    """Content-Transfer-Encoding as Thunderbird's libmime reads it, and the rewriter with it:
    the first token (before white space, a comment, ';' or ','), lower-cased, so ``7bit;``,
    ``base64 `` and ``Quoted-Printable`` are the encodings they name. Python's email header
    object (``policy.default``, ``.cte``) reads the token the same way; its
    ``get_payload(decode=True)`` compares the whole value and leaves ``base64 `` undecoded,
    which is why the judge decodes for itself. Misspelled identity encodings (``8bits``,
    ``7-bit``) are ``8bit?``/``7bit?``: every reader shows such a part as it is."""
    if value is None:
        return None
    v = re.match(r"\s*([^\s;,(]*)", value).group(1).lower()
    if v in ("7bits", "7-bit"):
        return "7bit?"
    if v in ("8bits", "8-bit"):
        return "8bit?"
    return v


def decode_payload(raw: bytes, cte: str | None) -> bytes:
    """The transfer decoding email's ``get_payload(decode=True)`` does (quopri, decode_b),
    applied to the normalised CTE so misspellings like ``quoted-printable;`` decode too."""
    n = norm_cte(cte)
    if n == "quoted-printable":
        return quopri.decodestring(raw)
    if n == "base64":
        value, _ = decode_b(b"".join(raw.splitlines()))
        return value
    return raw


def strip_api_header(data: bytes, root: rawmime.RawPart) -> bytes:
    fields = root.headers(data)
    kept = b"".join(f.raw for f in fields if f.lname != "x-msys-api")
    return kept + data[root.header_end:]


def lines_of(data: bytes) -> list[bytes]:
    return [m.group(0) for m in LINE_RE.finditer(data)]


def content_of(line: bytes) -> bytes:
    return line.rstrip(b"\r\n")


def eol_kinds(data: bytes) -> set:
    kinds = set()
    if b"\r\n" in data:
        kinds.add("CRLF")
    if re.search(rb"(?<!\r)\n", data):
        kinds.add("LF")
    if re.search(rb"\r(?!\n)", data):
        kinds.add("CR")
    return kinds


def python_signature(msg) -> list[tuple]:
    """email's whole tree (message/* included): content type, parameters, multipart, boundary."""
    out = []
    for part in msg.walk():
        params = part.get_params(header="content-type") or []
        out.append((part.get_content_type(), tuple((k.lower(), str(v)) for k, v in params[1:]),
                    part.is_multipart(), part.get_boundary()))
    return out


def _where(p: rawmime.RawPart) -> str:
    return f"part {p.path or '(top)'} {p.content_type}"


def _context(data: bytes, i: int, width: int = 60) -> str:
    return repr(data[max(0, i - width):i]) + " | " + repr(data[i:i + width])


def first_diff(a: bytes, b: bytes) -> int | None:
    if a == b:
        return None
    n = min(len(a), len(b))
    i = next((k for k in range(n) if a[k] != b[k]), n)
    return i


# ---- the judge -----------------------------------------------------------------

def judge(inp: bytes, res: RewriteResult, decode, *, tracking_domain: str = TRACKING_DOMAIN,
          rcpt: str = RCPT) -> Verdict:
    """All checks on one input and its rewrite. ``decode(urls) -> {url: record}``."""
    v = Verdict()
    if res.returncode != 0 or not res.output:
        for c in CHECKS:
            v.add(c, "message", f"rewrite exited {res.returncode} with {len(res.output)} bytes out; "
                                f"stderr: {res.log_text}")
        return v
    out = res.output
    in_root = rawmime.parse(inp)
    expected = strip_api_header(inp, in_root)
    out_root = rawmime.parse(out)
    in_msg = email.message_from_bytes(inp, policy=email.policy.compat32)
    out_msg = email.message_from_bytes(out, policy=email.policy.compat32)

    # 1. the MIME tree as email sees it
    a, b = python_signature(in_msg), python_signature(out_msg)
    if a != b:
        i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        v.add("mime_tree", "message",
              f"{len(a)} parts in, {len(b)} out; first difference at part #{i}: "
              f"in {a[i] if i < len(a) else None} out {b[i] if i < len(b) else None}")
    if rawmime.raw_tree(in_root) != rawmime.raw_tree(out_root):
        for c in CHECKS[1:]:
            v.add(c, "message", "the output's MIME tree differs (see mime_tree); nothing else compared")
        return v

    parts = _part_infos(inp, out, in_root, out_root, v)
    v.parts = parts
    _check_bytes(inp, out, in_root, out_root, parts, v)

    # decode every tracked URL of the message in one batch
    for p in parts:
        p.decoded_in = decode_payload(inp[p.raw_in.body_start:p.raw_in.payload_end], p.raw_in.cte())
        p.decoded_out = decode_payload(out[p.raw_out.body_start:p.raw_out.payload_end], p.raw_out.cte())
        transcode_stateful(p, v)
    urls = set()
    for p in parts:
        if not p.changed:
            continue
        if p.raw_out.content_type == "text/html":
            text = _as_text(p.decoded_out, p.raw_out)
            p.pixel_tags = [m.group(1) for m in PIXEL_TAG_RE.finditer(text)]
            urls.update(p.pixel_tags)
            # html5lib sees the document without the inserted pixel tags (see _check_html)
            view = htmltree.html_view(PIXEL_TAG_RE.sub("", text), is_pixel=_is_open, is_tracked=_is_tracked)
            urls.update(l.href for l in view.links if l.href)
            urls.update(src for src, _ in view.pixels)
            p._out_view = view
        else:
            urls.update(m.group(0).decode("latin-1") for m in TRACKED_IN_TEXT.finditer(p.decoded_out))
    urls = {u for u in urls if CLICK_RE.match(u) or OPEN_RE.match(u)}
    decoded = decode(sorted(urls)) if urls else {}

    for p in parts:
        if p.raw_in.content_type == "text/html":
            _check_html(p, decoded, v, tracking_domain, rcpt)
        else:
            _check_text(p, decoded, v, tracking_domain, rcpt)
        if p.changed:
            _check_encoding(inp, out, p, v)
    _check_pixel_placement(parts, v)
    _check_long_lines(inp, out, v)
    _check_charset(parts, res, v)
    _check_log(expected, out, parts, res, v)
    return v


def transcode_stateful(p: PartInfo, v: Verdict) -> None:
    """ISO-2022 parts are compared as text: both sides decoded with Python's codec and
    written as UTF-8, so escapes the rewriter moved (a pixel wrapped in ESC ( B) do not
    count, and a change to the decoded text does. The output must decode wherever the input
    did."""
    codec = charsets.stateful_codec(p.raw_in.charset())
    if codec is None:
        return
    p.stateful = True
    try:
        text_in = p.decoded_in.decode(codec)
    except UnicodeDecodeError:
        text_in = None
        p.undecodable = True
    try:
        text_out = p.decoded_out.decode(codec)
    except UnicodeDecodeError as e:
        text_out = p.decoded_out.decode(codec, "replace")
        if text_in is not None:
            v.add("content", _where(p.raw_in), f"the output no longer decodes as {codec}: {e}")
    if text_in is None:
        text_in = p.decoded_in.decode(codec, "replace")
    p.decoded_in, p.decoded_out = text_in.encode("utf-8"), text_out.encode("utf-8")


def _is_open(src: str) -> bool:
    return bool(OPEN_RE.match(src or ""))


def _is_tracked(value: str) -> bool:
    return bool(CLICK_RE.match(value or "") or OPEN_RE.match(value or ""))


def _as_text(data: bytes, part: rawmime.RawPart) -> str:
    return data.decode(charsets.text_codec(part.charset()), "replace")


POSTFIX_FIRST_LINE = re.compile(rb"[!-9;-~]+[ \t]*:|From ")


def headerless_for_mta(data: bytes) -> bool:
    """True when an MTA sees no header block: the first line is neither a header field nor
    an mbox ``From `` line (Postfix turns that into ``X-Mailbox-Line:``). email reads a
    leading white-space line as a (defective) continuation and goes on with the headers;
    Postfix ends the header block there, so the milter gets every line as body."""
    return not POSTFIX_FIRST_LINE.match(data)


def _part_infos(inp, out, in_root, out_root, v: Verdict) -> list[PartInfo]:
    by_path = {p.path: p for p in in_root.walk()}
    headerless = headerless_for_mta(inp)
    infos = []
    html_seen = 0
    for pi, po in zip(in_root.walk(), out_root.walk()):
        if not pi.is_displayed():
            continue
        reasons_skip, reasons_either = [], []
        if headerless:
            reasons_either.append("the message has no header block as an MTA sees it (first line is not a field)")
        ancestors = [by_path[pi.path[:k]] for k in range(len(pi.path)) if
                     pi.path[:k] in by_path and (k == 0 or pi.path[k] == ".")]
        for anc in ancestors + [pi]:
            if anc.content_type in ("multipart/signed", "multipart/encrypted"):
                reasons_either.append(f"inside {anc.content_type}")
            ctypes = {re.sub(r"\s+", "", str(x)).lower() for x in anc.msg.get_all("content-type", [])}
            if len(ctypes) > 1:
                reasons_either.append(f"{_where(anc)} has conflicting Content-Type fields")
        disp = pi.disposition()
        if disp not in (None, "inline", "attachment"):
            reasons_either.append(f"unknown Content-Disposition {disp!r} (RFC 2183: treat as attachment)")
        exp = charsets.expectation(pi.charset())
        if exp == "skip":
            reasons_skip.append(f"charset {pi.charset()!r} is not ASCII-compatible"
                                if charsets.classify(pi.charset()) == "unsafe"
                                else f"charset {pi.charset()!r} is unknown")
            v.charset_parts.append((pi.path, pi.charset()))
        elif exp == "either":
            reasons_either.append(f"charset {pi.charset()!r} is ambiguous")
        codec = charsets.stateful_codec(pi.charset())
        if codec:
            try:
                decode_payload(inp[pi.body_start:pi.payload_end], pi.cte()).decode(codec)
            except UnicodeDecodeError:
                reasons_either.append(f"the part does not decode as {codec}")
        cte = pi.cte()
        if cte not in STANDARD_CTE:
            reasons_either.append(f"non-standard Content-Transfer-Encoding {cte!r}")
        expectation = "skip" if reasons_skip else "either" if reasons_either else "rewrite"
        changed = (inp[pi.start:pi.end] != out[po.start:po.end]
                   if pi.path else inp[pi.body_start:pi.end] != out[po.body_start:po.end])
        info = PartInfo(pi, po, expectation, "; ".join(reasons_skip + reasons_either), changed)
        if pi.content_type == "text/html":
            info.html_index = html_seen
            html_seen += 1
        infos.append(info)
    return infos


# ---- 2. bytes outside the displayed parts --------------------------------------

def _check_bytes(inp, out, in_root, out_root, parts: list[PartInfo], v: Verdict) -> None:
    restored = bytearray(out)
    edits = []          # (out_start, out_end, replacement), applied from the end
    displayed = {p.raw_in.path: p for p in parts}
    for pi, po in zip(in_root.walk(), out_root.walk()):
        is_top = pi.path == ""
        info = displayed.get(pi.path)
        if info is not None:
            edits.append((po.body_start, po.end, inp[pi.body_start:pi.end]))
        if is_top or info is not None:
            fin = [f for f in pi.headers(inp) if not (is_top and f.lname == "x-msys-api")]
            fout = po.headers(out)
            problem = _header_problem(fin, fout, allow_cte=info is not None)
            if problem:
                v.add("bytes", _where(pi), problem)
            else:
                edits.append((po.start, po.header_end, inp[pi.start:pi.header_end]))
    for s, e, rep in sorted(edits, key=lambda t: t[0], reverse=True):
        restored[s:e] = rep
    restored = bytes(restored)
    if restored != inp:
        i = first_diff(inp, restored)
        seg = _segment_at(in_root, i)
        v.add("bytes", seg,
              f"outside the displayed parts the output differs from the input at input offset {i}: "
              f"in {_context(inp, i)} / out {_context(restored, i)}")


def _header_problem(fin, fout, allow_cte: bool) -> str | None:
    if [f.raw for f in fin] == [f.raw for f in fout]:
        return None
    a = [f.raw for f in fin if f.lname != "content-transfer-encoding"]
    b = [f.raw for f in fout if f.lname != "content-transfer-encoding"]
    if a != b:
        diff = [x for x in b if x not in a][:2] or [x for x in a if x not in b][:2]
        return f"header fields changed (besides Content-Transfer-Encoding): {diff}"
    if not allow_cte:
        return "Content-Transfer-Encoding changed on a part that is not a displayed text part"
    ctes = [f.value().lower() for f in fout if f.lname == "content-transfer-encoding"]
    if ctes != ["quoted-printable"]:
        return f"Content-Transfer-Encoding changed to {ctes} (only quoted-printable is allowed)"
    return None


def _segment_at(root: rawmime.RawPart, i: int) -> str:
    best = root
    for p in root.walk():
        if p.start <= i < max(p.end, p.start + 1):
            best = p
    if best.start <= i < best.header_end:
        return f"{_where(best)} (header)"
    for b in best.boundary_lines:
        if b.start <= i < b.end:
            return f"{_where(best)} (boundary line)"
    if best.kind == "multipart":
        if best.children and i < best.children[0].start:
            return f"{_where(best)} (preamble)"
        return f"{_where(best)} (between parts / epilogue)"
    return f"{_where(best)} (body)"


# ---- 3./4. HTML ----------------------------------------------------------------------

def _check_html(p: PartInfo, decoded: dict, v: Verdict, domain: str, rcpt: str) -> None:
    where = _where(p.raw_in)
    if not p.changed:
        if p.expectation == "rewrite":
            view = htmltree.html_view(_as_text(p.decoded_in, p.raw_in))
            missed = [l for l in view.links if l.eligibility(domain)[0] == "yes"]
            if missed:
                v.add("links", where, f"part left unchanged but it has {len(missed)} eligible links, "
                                      f"first {missed[0].href!r}")
        return
    if p.expectation == "skip":
        return                      # reported by the charset check
    if p.undecodable:
        return                      # no reference text to compare with
    in_view = htmltree.html_view(_as_text(p.decoded_in, p.raw_in))
    out_view = p._out_view
    p.pixels = len(p.pixel_tags) + len(out_view.pixels)
    diff = htmltree.first_difference(in_view.events, out_view.events)
    if diff:
        v.add("content", where, f"html5lib trees differ (apart from hrefs and pixels): {diff}")
    else:
        raw = _raw_alignment(_as_text(p.decoded_in, p.raw_in), _as_text(p.decoded_out, p.raw_out), decoded)
        if raw:
            v.add("content", where, f"bytes outside the rewritten href values and the pixels changed: {raw}")
    for tag, attr in out_view.msys_attrs:
        v.add("encoding", where, f"<{tag} {attr}> left in the output")
    for tag, attr, val in out_view.tracked_elsewhere:
        v.add("links", where, f"tracked URL in <{tag} {attr}>: {val[:80]}")
    if len(in_view.links) != len(out_view.links):
        v.add("links", where, f"{len(in_view.links)} <a>/<area> in, {len(out_view.links)} out")
        return
    for a, b in zip(in_view.links, out_view.links):
        elig, why = a.eligibility(domain)
        if elig == "yes" and p.stateful and not a.href.isascii():
            # The href holds text of a non-ASCII set (or JIS-Roman's YEN SIGN/OVERLINE): the
            # rewriter leaves such links alone unless the text is a character reference.
            elig, why = "either", "non-ASCII href in an ISO-2022 part"
        tracked = b.href is not None and b.href != a.href and CLICK_RE.match(b.href)
        label = f"<{a.tag} href={a.href!r}>" + (" in a conditional comment" if a.in_conditional else "")
        if tracked:
            p.tracked += 1
            rec = decoded.get(b.href) or {"error": "not decoded"}
            if elig == "no":
                v.add("links", where, f"{label} must not be tracked ({why}) but is")
                continue
            problem = _click_problem(rec, a, rcpt, stateful=p.stateful)
            if problem:
                v.add("content", where, f"{label}: {problem}")
        else:
            if elig == "yes":
                v.add("links", where, f"{label} is eligible but not tracked (out: {b.href!r})")
            elif a.href != b.href:
                v.add("links", where, f"{label} ({why}) changed to {b.href!r}")


def _click_problem(rec: dict, link: htmltree.Link, rcpt: str, stateful: bool = False) -> str | None:
    if "error" in rec:
        return f"tracked URL does not decode: {rec.get('error')}"
    want = link.href.strip(htmltree.HTML_WS)
    problems = []
    if rec.get("type") not in CLICK_TYPES:
        problems.append(f"type {rec.get('type')!r}")
    if not same_target(rec.get("target_link_url"), want):
        problems.append(f"decodes to {rec.get('target_link_url')!r}, want {want!r}")
    if link.attrs.get("data-msys-unsubscribe", "").strip() == "1" and rec.get("type") != "link_unsubscribe":
        problems.append("data-msys-unsubscribe=1 but type is not link_unsubscribe")
    name = link.attrs.get("data-msys-linkname")
    want_name = name[:63] if name else "Raw URL"
    # In ISO-2022 parts a name in a non-ASCII set cannot be read without the charset's
    # tables: the rewriter drops it (the default "Raw URL") rather than guess.
    allowed = (want_name, None if not name else want_name) + (("Raw URL",) if stateful and name and not name.isascii() else ())
    if rec.get("target_link_name") not in allowed:
        problems.append(f"link name {rec.get('target_link_name')!r}, want {want_name!r}")
    if rec.get("rcpt_to") != rcpt:
        problems.append(f"rcpt_to {rec.get('rcpt_to')!r}, want {rcpt!r}")
    return "; ".join(problems) or None


CLICK_IN_TEXT = re.compile(rf"https?://{_TD}/f/[^/\s\"'<>]+/[A-Za-z0-9_-]+")
MSYS_ATTR_RE = re.compile(r"""\s+data-msys-[\w-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""", re.I)


def _raw_alignment(tin: str, tout: str, decoded: dict) -> str | None:
    """SPEC 4: the HTML tokenizer leaves every byte outside the rewritten attribute values as
    it was. Walk the output: text between tracked URLs and pixel tags must appear in the input
    in the same order; each gap in the input must be exactly one href value (which decodes to
    the URL's target), and pixels take no input bytes. data-msys-* attributes (which the
    rewriter removes) are taken out of the input first."""
    # A CRLF in the content is a line break of the text (RFC 2045 6.7 rule 4): QP may carry
    # it as "=0D=0A" or as a hard line break, and decoding a hard break in an LF-terminated
    # file gives LF, so line breaks are compared as line breaks, not as CR/LF bytes.
    tin, tout = tin.replace("\r\n", "\n"), tout.replace("\r\n", "\n")
    if "data-msys-" in tin.lower():
        tin = MSYS_ATTR_RE.sub("", tin)
    items = sorted([(m.start(), m.end(), "pixel") for m in PIXEL_TAG_RE.finditer(tout)] +
                   [(m.start(), m.end(), "url") for m in CLICK_IN_TEXT.finditer(tout)])
    pi = po = 0
    for s, e, kind in items:
        if s < po:
            continue                    # a URL inside a pixel tag
        seg = tout[po:s]
        # An unquoted href gets quotes in the output (HTML5: the value then runs to white
        # space or '>', a '/' included): the two added quote characters are not a change.
        added_quotes = (kind != "pixel" and seg[-1:] in ("\"", "'") and not tin.startswith(seg, pi)
                        and tin.startswith(seg[:-1], pi) and tout[e:e + 1] == seg[-1:])
        if added_quotes:
            seg = seg[:-1]
        if not tin.startswith(seg, pi):
            k = next((j for j in range(min(len(seg), len(tin) - pi)) if tin[pi + j] != seg[j]),
                     min(len(seg), len(tin) - pi))
            a, b = pi + k, po + k
            return (f"at decoded input offset {a} / output offset {b}: in {tin[max(0, a - 40):a]!r} | "
                    f"{tin[a:a + 40]!r} / out {tout[max(0, b - 40):b]!r} | {tout[b:b + 40]!r}")
        pi += len(seg)
        po = e
        if kind == "pixel":
            continue
        if tin.startswith(tout[s:e], pi):      # a URL that was on the tracking domain already
            pi += e - s
            continue
        q = tout[s - 1] if s else ""
        if added_quotes:
            po = e + 1
            m = re.compile(r"[^\s>]*").match(tin, pi)
            end = m.end()
        elif q in "\"'":
            end = tin.find(q, pi)
        else:
            m = re.compile(r"[^\s>]*").match(tin, pi)
            end = m.end()
        if end < 0:
            return f"no end of the original href value at input {pi}"
        target = (decoded.get(tout[s:e]) or {}).get("target_link_url")
        original = htmltree.attr_unescape(tin[pi:end]).strip(htmltree.HTML_WS)
        if not same_target(target, original):
            return f"the href value at input {pi} is {tin[pi:end][:80]!r}, but the URL there decodes to {target!r}"
        pi = end
    if tin[pi:] != tout[po:]:
        return f"after the last tracked URL/pixel: in {tin[pi:pi + 60]!r} out {tout[po:po + 60]!r}"
    return None


def same_target(got, want: str) -> bool:
    """The decoded target against html5lib's href. html5lib turns CRLF and CR into LF
    before tokenizing, so a line break inside an href (a wrapped long URL) cannot be
    compared byte for byte: any spelling of it, or none (what a browser's URL parser
    keeps: it drops tabs and newlines), is accepted."""
    if got == want:
        return True
    if not isinstance(got, str):
        return False
    nl = lambda s: re.sub(r"\r\n?", "\n", s)
    return nl(got) == nl(want) or got == re.sub(r"[\t\r\n]", "", want)


def _check_pixel_placement(parts: list[PartInfo], v: Verdict) -> None:
    html_parts = [p for p in parts if p.html_index is not None]
    for p in html_parts:
        text = _as_text(p.decoded_out, p.raw_out)
        tags = list(PIXEL_TAG_RE.finditer(text))
        where = _where(p.raw_in)
        if p.html_index != 0:
            if tags:
                v.add("links", where, f"{len(tags)} open pixels in an HTML part that is not the first")
            continue
        if p.expectation == "skip" or (p.expectation == "either" and not p.changed):
            if tags:
                v.add("links", where, f"open pixels in a part that should be left alone ({p.why})")
            continue
        if len(tags) != 2:
            v.add("links", where, f"{len(tags)} open pixels in the first HTML part, want 2 (top and bottom)")
            continue
        top, bottom = tags
        # Top: SPEC says right after <body ...> (at the start without one). HTML5 starts the
        # body earlier when content that cannot be in <head> comes first (text, <img>, <div>),
        # and the rewriter places the pixel there, so that is accepted too: the pixel must be
        # the first node html5lib puts into <body>, or right after <body ...>; a pixel that
        # comes after an explicit <body ...> tag must be right after it.
        first = htmltree.first_in_body(text)
        tree_ok = first == ("img", top.group(1))
        body = BODY_OPEN_RE.search(text)
        if body and top.start() >= body.end():
            if top.start() != body.end():
                v.add("links", where, f"top pixel at {top.start()}, not right after <body ...> (ends at "
                                      f"{body.end()}): {text[body.start():top.start() + 20]!r}")
        elif not (tree_ok or (not body and top.start() == 0)):
            v.add("links", where, f"top pixel is neither right after <body ...> nor the first node of <body> "
                                  f"(html5lib: first is {first}); it is at {top.start()}: "
                                  f"{text[max(0, top.start() - 60):top.start() + 20]!r}")
        # Bottom: right before the first </body>; without one, right before </html> or at the end.
        close = BODY_CLOSE_RE.search(text, top.end())
        html_close = HTML_CLOSE_RE.search(text, top.end())
        at_end = text[bottom.end():].strip(" \t\r\n") == ""
        if close:
            if bottom.end() != close.start():
                v.add("links", where, f"bottom pixel ends at {bottom.end()}, not right before {close.group(0)!r} "
                                      f"at {close.start()}: {text[bottom.end() - 20:bottom.end() + 40]!r}")
        elif not (at_end or (html_close and bottom.end() == html_close.start())):
            v.add("links", where, f"bottom pixel neither before </html> nor at the end: "
                                  f"{text[bottom.end():bottom.end() + 40]!r}")


# ---- 3./4. text/plain ------------------------------------------------------------------

def _check_text(p: PartInfo, decoded: dict, v: Verdict, domain: str, rcpt: str) -> None:
    where = _where(p.raw_in)
    if p.expectation == "skip" and p.changed:
        return                          # the charset check reports it
    if p.undecodable:
        return                          # no reference text to compare with
    out = p.decoded_out
    rebuilt, spans, pos = [], [], 0
    length = 0
    for m in TRACKED_IN_TEXT.finditer(out):
        url = m.group(0).decode("latin-1")
        rebuilt.append(out[pos:m.start()])
        length += m.start() - pos
        pos = m.end()
        if OPEN_RE.match(url):
            v.add("links", where, f"open pixel URL in a text part: {url[:80]}")
            rebuilt.append(m.group(0))
            length += len(m.group(0))
            continue
        rec = decoded.get(url) or {"error": "not decoded"}
        if "error" in rec:
            v.add("content", where, f"tracked URL does not decode: {rec['error']}")
            target = m.group(0)
        else:
            p.tracked += 1
            target = str(rec.get("target_link_url", "")).encode("utf-8", "surrogateescape")
            problems = []
            if rec.get("type") not in CLICK_TYPES:
                problems.append(f"type {rec.get('type')!r}")
            if rec.get("rcpt_to") != rcpt:
                problems.append(f"rcpt_to {rec.get('rcpt_to')!r}")
            if not URL_START_RE.match(target):
                problems.append(f"target {target[:80]!r} is not an http(s) URL")
            if problems:
                v.add("content", where, f"tracked URL for {target[:80]!r}: {'; '.join(problems)}")
        spans.append((length, length + len(target)))
        rebuilt.append(target)
        length += len(target)
    rebuilt.append(out[pos:])
    text = b"".join(rebuilt)
    # line breaks compare as line breaks (see _raw_alignment)
    if text.replace(b"\r\n", b"\n") != p.decoded_in.replace(b"\r\n", b"\n"):
        i = first_diff(p.decoded_in, text)
        v.add("content", where, f"text differs after replacing tracked URLs, at decoded offset {i}: "
                                f"in {_context(p.decoded_in, i)} / out {_context(text, i)}")
        return
    if b"[[data-msys-" in out.lower():
        v.add("encoding", where, "[[data-msys-...]] annotation left in the output")
    if p.expectation != "rewrite" and not p.changed:
        return
    # every http(s) URL of the input is covered by a tracked span; spans start at URLs
    starts = [m.start() for m in URL_START_RE.finditer(p.decoded_in)
              if not _on_domain(p.decoded_in[m.start():m.start() + 200], domain)]
    for s in starts:
        if not any(a <= s < b for a, b in spans):
            v.add("links", where, f"URL not tracked: {p.decoded_in[s:s + 80]!r}")
    for a, _ in spans:
        if a not in starts:
            v.add("links", where, f"tracked span does not start at a URL: {text[a:a + 60]!r}")


def _on_domain(url: bytes, domain: str) -> bool:
    m = re.match(rb"https?://([^/\s?#]+)", url, re.I)
    return bool(m) and m.group(1).decode("latin-1").lower().split("@")[-1] in (domain.lower(),)


# ---- 5. encodings and line lengths ---------------------------------------------------

QP_LINE = re.compile(rb"(?:[\x21-\x3c\x3e-\x7e \t]|=[0-9A-F]{2})*=?")
B64_LINE = re.compile(rb"[A-Za-z0-9+/]*={0,2}")


def _check_encoding(inp: bytes, out: bytes, p: PartInfo, v: Verdict) -> None:
    where = _where(p.raw_in)
    body = out[p.raw_out.body_start:p.raw_out.payload_end]
    cte_in, cte_out = norm_cte(p.raw_in.cte()), norm_cte(p.raw_out.cte())
    lines = lines_of(body)
    if cte_out != cte_in:
        longest = max((len(content_of(x)) for x in lines_of(p.decoded_out)), default=0)
        if cte_out != "quoted-printable":
            v.add("encoding", where, f"Content-Transfer-Encoding changed {cte_in!r} -> {cte_out!r}")
        elif longest <= 998 and cte_in not in (None, "7bit", "8bit", "binary", "7bit?", "8bit?"):
            v.add("encoding", where, f"switched {cte_in!r} to quoted-printable without a line over 998 octets")
    if cte_out == "quoted-printable":
        for n, ln in enumerate(lines):
            c = content_of(ln)
            if len(c) > 76:
                v.add("encoding", where, f"QP line {n + 1} has {len(c)} characters (max 76): {c[:60]!r}...")
                break
            if not QP_LINE.fullmatch(c) or c[-1:] in (b" ", b"\t"):
                v.add("encoding", where, f"QP line {n + 1} is not valid quoted-printable: {c[:100]!r}")
                break
    elif cte_out == "base64":
        for n, ln in enumerate(lines):
            c = content_of(ln)
            if len(c) > 76 or not B64_LINE.fullmatch(c):
                v.add("encoding", where, f"base64 line {n + 1} invalid or over 76 characters: {c[:60]!r}")
                break
        else:
            try:
                base64.b64decode(b"".join(content_of(x) for x in lines), validate=True)
            except (ValueError, base64.binascii.Error) as e:
                v.add("encoding", where, f"base64 body does not decode strictly: {e}")
    else:
        for n, ln in enumerate(lines):
            if len(content_of(ln)) > 998:
                v.add("encoding", where, f"line {n + 1} has {len(content_of(ln))} octets (max 998) "
                                         f"in a {cte_out or '7bit'} part")
                break
    kin = eol_kinds(inp[p.raw_in.body_start:p.raw_in.end])
    kout = eol_kinds(out[p.raw_out.body_start:p.raw_out.end])
    if len(kin) == 1 and kout - kin:
        v.add("encoding", where, f"line endings changed: input {sorted(kin)}, output {sorted(kout)}")


def _check_long_lines(inp: bytes, out: bytes, v: Verdict) -> None:
    before = {content_of(x) for x in lines_of(inp) if len(content_of(x)) > 998}
    new = [content_of(x) for x in lines_of(out) if len(content_of(x)) > 998 and content_of(x) not in before]
    if new:
        v.add("encoding", "message", f"{len(new)} new lines over 998 octets, first {len(new[0])}: {new[0][:60]!r}")


# ---- 6. charsets --------------------------------------------------------------------------

def _check_charset(parts: list[PartInfo], res: RewriteResult, v: Verdict) -> None:
    reason = str((res.log or {}).get("reason", "")).lower()
    for p in parts:
        if not (p.expectation == "skip" and (p.raw_in.path, p.raw_in.charset()) in v.charset_parts):
            continue
        where = _where(p.raw_in)
        if p.changed:
            v.add("charset", where, f"rewritten although {p.why}")
        cs = p.raw_in.charset() or ""
        other_cause = "Content-Transfer-Encoding" in p.why and "transfer-encoding" in reason
        if cs.lower() not in reason and "charset" not in reason and not other_cause:
            v.add("charset", where, f"log reason does not mention charset {cs!r}: reason={reason!r}")


# ---- the log line ---------------------------------------------------------------------------

def _check_log(expected: bytes, out: bytes, parts: list[PartInfo], res: RewriteResult, v: Verdict) -> None:
    rec = res.log
    if rec is None:
        v.add("log", "message", f"no msg=message log line on stderr: {res.log_text}")
        return
    outcome = rec.get("outcome")
    want = "rewritten" if out != expected else "unchanged"
    if outcome != want:
        v.add("log", "message", f"outcome={outcome!r} but the body is {want}")

    def num(key):
        try:
            return int(rec.get(key, 0) or 0)
        except (TypeError, ValueError):
            return None
    tracked = sum(p.tracked for p in parts)
    pixels = sum(p.pixels for p in parts)
    if "links_tracked" in rec and num("links_tracked") != tracked:
        v.add("log", "message", f"links_tracked={rec.get('links_tracked')} but {tracked} tracked links found")
    if "pixels" in rec and num("pixels") != pixels:
        v.add("log", "message", f"pixels={rec.get('pixels')} but {pixels} pixels found")
    changed = sum(1 for p in parts if p.changed)
    if "parts" in rec and num("parts") != changed:
        v.add("log", "message", f"parts={rec.get('parts')} but {changed} displayed parts changed")

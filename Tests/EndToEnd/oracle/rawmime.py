"""A MIME splitter with byte offsets that follows Python's ``email.feedparser``.

``email`` (compat32) gives the tree and decodes payloads but no byte offsets;
the oracle needs the raw bytes of every part to prove that everything outside
the displayed text parts is byte-identical. ``parse(data)`` walks the same
lines with the same rules as ``FeedParser._parsegen``:

- lines end in ``\\r\\n``, ``\\r`` or ``\\n``;
- a header block ends at the first line that is neither ``Name:`` (printable
  ASCII name without spaces), a continuation (leading SP/HT) nor ``From ``;
  an empty line is consumed, any other line starts the body;
- a boundary line is exactly ``--B``, optional ``--``, optional SP/HT, EOL;
  every enclosing multipart's boundary ends an inner part (RFC 2046 5.1.2);
  repeated boundary lines produce no empty parts;
- ``message/*`` parts and multiparts without a usable boundary or without a
  start boundary are leaves (their bodies run to the next enclosing boundary).

Header fields of each part are parsed by ``email`` itself (from the part's raw
header bytes), so content types, parameters and boundaries are Python's.
``cross_check(data)`` compares the result with ``email``'s own tree.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field

HEADER_RE = re.compile(rb"^(From |[\041-\071\073-\176]*:|[\t ])")
LINE_RE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
EOL_RE = re.compile(rb"(?:\r\n|\r|\n)\Z")

COMPAT32 = email.policy.compat32


@dataclass
class Line:
    start: int
    end: int          # after the line ending
    text: bytes       # with its line ending


@dataclass
class HeaderField:
    name: str         # as written
    raw: bytes        # the whole field with folding and line endings
    start: int

    @property
    def lname(self) -> str:
        return self.name.lower()

    def value(self) -> str:
        text = self.raw.decode("latin-1")
        text = text.split(":", 1)[1] if ":" in text else text
        return re.sub(r"\r\n|\r|\n", "", text).strip()


@dataclass
class RawPart:
    path: str                     # "" for the message, "1", "1.2", ...
    start: int                    # first byte of the header block
    header_end: int               # after the last header line
    body_start: int               # first body byte (after the empty line, if any)
    end: int                      # where the entity stops: the next boundary line or EOF
    msg: email.message.Message    # headers only, parsed by email (compat32)
    content_type: str             # email's get_content_type()
    kind: str                     # "leaf" | "multipart" | "multipart-unparsed" | "message"
    in_message: bool = False      # inside a message/* part (never true here: not descended)
    children: list["RawPart"] = field(default_factory=list)
    boundary_lines: list[Line] = field(default_factory=list)
    close_boundary_seen: bool = False
    missing_separator: bool = False
    parent_type: str | None = None
    # end of the payload as email sees it: a part followed by a boundary loses its last EOL
    payload_end: int = -1


    def headers(self, data: bytes) -> list[HeaderField]:
        return split_header_fields(data[self.start:self.header_end], self.start)

    def disposition(self) -> str | None:
        return self.msg.get_content_disposition()

    def charset(self) -> str | None:
        cs = self.msg.get_content_charset()
        return cs.strip().strip('"').lower() if cs else None

    def cte(self) -> str | None:
        v = self.msg.get("content-transfer-encoding")
        return None if v is None else str(v).strip().lower()

    def is_displayed(self) -> bool:
        """SPEC 4: a text/html or text/plain leaf, not an attachment, not inside message/*."""
        return (self.kind == "leaf" and self.content_type in ("text/html", "text/plain")
                and self.disposition() != "attachment" and not self.in_message)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def describe(self) -> str:
        return f"part {self.path or '(top)'} {self.content_type}"


def split_lines(data: bytes) -> list[Line]:
    return [Line(m.start(), m.end(), m.group(0)) for m in LINE_RE.finditer(data)]


def split_header_fields(block: bytes, base: int = 0) -> list[HeaderField]:
    fields: list[HeaderField] = []
    for ln in split_lines(block):
        if ln.text[:1] in (b" ", b"\t") and fields:
            fields[-1].raw += ln.text
            continue
        name = ln.text.split(b":", 1)[0].decode("latin-1") if b":" in ln.text else ""
        fields.append(HeaderField(name, ln.text, base + ln.start))
    return fields


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.lines = split_lines(data)
        self.i = 0
        self.eof: list = []

    def pos(self) -> int:
        return self.lines[self.i].start if self.i < len(self.lines) else len(self.data)

    def readline(self) -> Line | None:
        if self.i >= len(self.lines):
            return None
        ln = self.lines[self.i]
        for matcher in reversed(self.eof):
            if matcher(ln.text):
                return None
        self.i += 1
        return ln

    def unread(self) -> None:
        self.i -= 1

    def drain(self) -> None:
        while self.readline() is not None:
            pass


def _boundary_matcher(boundary: str):
    sep = b"--" + boundary.encode("ascii", "surrogateescape")
    rx = re.compile(re.escape(sep) + rb"(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")
    return rx.match


def _parse_entity(r: _Reader, path: str, parent_type: str | None, top: bool) -> RawPart:
    start = r.pos()
    header_lines: list[Line] = []
    missing_sep = False
    while True:
        ln = r.readline()
        if ln is None:
            break
        if not HEADER_RE.match(ln.text):
            if ln.text[:1] not in (b"\r", b"\n"):
                missing_sep = True
                r.unread()
            break
        header_lines.append(ln)
    header_end = header_lines[-1].end if header_lines else start
    body_start = r.pos()
    hdr = r.data[start:header_end]
    msg = email.message_from_bytes(hdr, policy=COMPAT32)
    if parent_type == "multipart/digest":
        msg.set_default_type("message/rfc822")
    ctype = msg.get_content_type()
    part = RawPart(path=path, start=start, header_end=header_end, body_start=body_start,
                   end=body_start, msg=msg, content_type=ctype, kind="leaf",
                   missing_separator=missing_sep, parent_type=parent_type)
    maintype = ctype.split("/", 1)[0]
    if maintype == "message":
        part.kind = "message"
        r.drain()
    elif maintype == "multipart":
        boundary = msg.get_boundary()
        if boundary is None:
            part.kind = "multipart-unparsed"
            r.drain()
        else:
            _parse_multipart(r, part, boundary)
    else:
        r.drain()
    part.end = r.pos()
    part.payload_end = part.end
    return part


def _parse_multipart(r: _Reader, part: RawPart, boundary: str) -> None:
    match = _boundary_matcher(boundary)
    capturing_preamble = True
    n = 0
    while True:
        ln = r.readline()
        if ln is None:
            break
        mo = match(ln.text)
        if not mo:
            continue                     # preamble (email asserts it is)
        if mo.group("end"):
            part.close_boundary_seen = True
            part.boundary_lines.append(ln)
            break
        if capturing_preamble:
            capturing_preamble = False
            r.unread()
            continue
        part.boundary_lines.append(ln)
        while True:                      # repeated boundary lines
            nxt = r.readline()
            if nxt is None:
                break
            if not match(nxt.text):
                r.unread()
                break
            part.boundary_lines.append(nxt)
        n += 1
        r.eof.append(match)
        child = _parse_entity(r, f"{part.path}.{n}" if part.path else str(n), part.content_type, False)
        r.eof.pop()
        # email: the EOL before a boundary belongs to the boundary
        m = EOL_RE.search(r.data, 0, child.end) if child.end > child.body_start else None
        if m and m.end() == child.end:
            child.payload_end = m.start()
        part.children.append(child)
    if capturing_preamble:
        part.kind = "multipart-unparsed"
        r.drain()
        return
    part.kind = "multipart"
    if part.close_boundary_seen:
        r.drain()                        # epilogue


def parse(data: bytes) -> RawPart:
    r = _Reader(data)
    return _parse_entity(r, "", None, True)


def leaves(root: RawPart) -> list[RawPart]:
    """Every non-multipart entity, in order (multiparts that email could not split count as leaves)."""
    return [p for p in root.walk() if p.kind != "multipart"]


def python_tree(msg) -> list[tuple]:
    """email's tree, not descending into message/*: (content type, multipart?) in walk order."""
    out = []

    def rec(m):
        mp = m.is_multipart() and m.get_content_maintype() == "multipart"
        out.append((m.get_content_type(), mp))
        if mp:
            for sub in m.get_payload():
                rec(sub)
    rec(msg)
    return out


def raw_tree(root: RawPart) -> list[tuple]:
    return [(p.content_type, p.kind == "multipart") for p in root.walk()]


def python_parts(msg) -> list:
    """email's parts in the same order as ``RawPart.walk()`` (message/* not descended)."""
    out = []

    def rec(m):
        out.append(m)
        if m.is_multipart() and m.get_content_maintype() == "multipart":
            for sub in m.get_payload():
                rec(sub)
    rec(msg)
    return out


def cross_check(data: bytes, root: RawPart | None = None, msg=None) -> str | None:
    """None when this splitter and email agree on ``data``; else what differs."""
    root = root or parse(data)
    msg = msg or email.message_from_bytes(data, policy=COMPAT32)
    a, b = raw_tree(root), python_tree(msg)
    if a != b:
        return f"raw splitter tree {a} != email tree {b}"
    for rp, pm in zip(root.walk(), python_parts(msg)):
        if rp.kind in ("leaf",) and not pm.is_multipart():
            payload = pm._payload     # raw (surrogate-escaped) text, not charset-decoded
            if isinstance(payload, str):
                raw = data[rp.body_start:rp.payload_end].decode("ascii", "surrogateescape")
                if raw != payload:
                    return f"{rp.describe()}: payload range differs from email's payload"
    return None

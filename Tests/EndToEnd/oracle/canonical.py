"""A message with its tracked URLs made comparable across message ids.

Two rewrites of one input (the milter through Postfix, ``tracking-milter rewrite``)
carry different tokens: every message gets a fresh message id. ``canonical``
keeps every byte outside the displayed parts, and replaces each displayed
part's body by its transfer-decoded content in which every tracked URL is
replaced by what it decodes to (event type, target, link name, recipient).
"""

from __future__ import annotations

import re

from . import rawmime
from .checks import decode_payload
from .runner import TRACKING_DOMAIN

URL_RE = re.compile(rf"https?://{re.escape(TRACKING_DOMAIN)}/(?:f/[^/\s\"'<>]+|q)/[A-Za-z0-9_-]+".encode())


def canonical(data: bytes, decode) -> bytes:
    root = rawmime.parse(data)
    parts = [p for p in root.walk() if p.is_displayed()]
    bodies = [decode_payload(data[p.body_start:p.payload_end], p.cte()) for p in parts]
    urls = sorted({m.group(0).decode() for b in bodies for m in URL_RE.finditer(b)})
    recs = decode(urls) if urls else {}

    def sub(m):
        r = recs.get(m.group(0).decode(), {})
        if "error" in r or not r:
            return b"<<UNDECODABLE " + m.group(0) + b">>"
        fields = (r.get("type"), r.get("target_link_url"), r.get("target_link_name"), r.get("rcpt_to"))
        return ("<<TRACKED %r>>" % (fields,)).encode()
    out = bytearray(data)
    for p, body in sorted(zip(parts, bodies), key=lambda t: t[0].body_start, reverse=True):
        out[p.body_start:p.end] = b"<<BODY " + URL_RE.sub(sub, body) + b" BODY>>"
    return bytes(out)

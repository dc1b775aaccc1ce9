"""The oracle over thousands of deliveries of the same few inputs (load tests).

``checks.judge`` parses every displayed HTML part with html5lib and costs about a
third of a second per message; a load run delivers thousands of copies of each
corpus input, differing only in their Message-ID and their tracking tokens. So:

- one delivered copy per input (the *reference*) gets the full ``judge``;
- every copy, the reference included, gets ``copy_findings``: the same raw MIME
  tree as its input, checks 2's bytes-outside-displayed-parts and 5's encoding and
  line-length rules (cheap, no html5lib), and ``canonical`` (every byte outside the
  displayed parts, plus each displayed part's decoded text with every tracked URL
  replaced by what it decodes to: type, target, link name, recipient) equal to the
  reference's, with the Message-IDs put back to one placeholder.

A copy that passes is, for every check the reference passed, indistinguishable from
it: the same tree, the same bytes around the displayed parts, the same decoded text
and tracked targets, valid encodings.

``CachingDecoder`` answers ``decode(urls)`` for ``judge`` and ``canonical`` from one
``Tool.decode`` run per batch (``prefetch``) instead of one process per message.
"""

from __future__ import annotations

from . import rawmime
from .canonical import URL_RE, canonical
from .checks import Verdict, _check_bytes, _check_encoding, _check_long_lines, _part_infos, decode_payload

PLACEHOLDER = b"<message-id-placeholder>"


class CachingDecoder:
    def __init__(self, decode, batch: int = 20000):
        self._decode = decode
        self._batch = batch
        self.cache: dict = {}
        self.runs = 0

    def prefetch(self, urls) -> None:
        missing = sorted({u for u in urls if u not in self.cache})
        for i in range(0, len(missing), self._batch):
            self.cache.update(self._decode(missing[i:i + self._batch]))
            self.runs += 1

    def __call__(self, urls) -> dict:
        self.prefetch(urls)
        return {u: self.cache[u] for u in urls if u in self.cache}


def tracked_urls(data: bytes) -> set[str]:
    """The tracked URLs in the displayed parts (what ``canonical`` will ask to decode)."""
    root = rawmime.parse(data)
    out = set()
    for p in root.walk():
        if p.is_displayed():
            body = decode_payload(data[p.body_start:p.payload_end], p.cte())
            out.update(m.group(0).decode() for m in URL_RE.finditer(body))
    return out


def normalised(data: bytes, message_id: str) -> bytes:
    return data.replace(message_id.encode(), PLACEHOLDER)


def copy_findings(given: bytes, delivered: bytes, reference_canonical: bytes, message_id: str,
                  decode) -> list[str]:
    """What is wrong with one delivered copy (empty: nothing); see the module doc."""
    v = Verdict()
    in_root, out_root = rawmime.parse(given), rawmime.parse(delivered)
    if rawmime.raw_tree(in_root) != rawmime.raw_tree(out_root):
        return ["[mime_tree] the delivered MIME tree differs from the input's"]
    parts = _part_infos(given, delivered, in_root, out_root, v)
    _check_bytes(given, delivered, in_root, out_root, parts, v)
    for p in parts:
        p.decoded_out = decode_payload(delivered[p.raw_out.body_start:p.raw_out.payload_end],
                                       p.raw_out.cte())
        if p.changed:
            _check_encoding(given, delivered, p, v)
    _check_long_lines(given, delivered, v)
    found = [str(f) for c in ("mime_tree", "bytes", "encoding") for f in v.of(c)]
    if normalised(canonical(delivered, decode), message_id) != reference_canonical:
        found.append("[content] differs from the fully judged reference copy after decoding "
                     "tracked URLs (canonical form)")
    return found

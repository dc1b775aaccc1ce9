"""Build test messages and take delivered ones apart.

What Postfix does to a message on its way to ``out/<queue_id>.eml`` (see
``postfix.py``): it prepends exactly one ``Received:`` header field (folded over
several lines) and changes nothing else. The pipe transport runs without
``F``/``D``/``O``/``R``/``B``/``.``/``>`` flags and with ``eol=\\r\\n``, so the file
holds the message as Postfix queued it, with CRLF line ends as on the wire (no
``>From`` quoting, no dot-stuffing). Postfix adds no Date/Message-ID/From/To
either, because the instance sets ``local_header_rewrite_clients`` empty.

So ``split_postfix_received(delivered)`` returns (the Received field, the rest),
and without a milter the rest equals the submitted message byte for byte.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

CRLF = b"\r\n"


def unique_message_id(tag: str = "e2e") -> str:
    return f"<{tag}.{uuid.uuid4().hex}@e2e.test>"


def to_crlf(data: bytes | str) -> bytes:
    """Normalise any mix of LF / CRLF line ends to CRLF."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def build_message(headers: list[tuple[str, str]], body: bytes | str) -> bytes:
    """Header fields (in order, values may contain folded ``\\n\\t`` parts) + body.

    Everything is CRLF; the result always ends with CRLF, so SMTP submission does
    not add one (smtplib appends CRLF to data that lacks it).
    """
    out = b"".join(to_crlf(f"{name}: {value}\n") for name, value in headers)
    body_bytes = to_crlf(body)
    if body_bytes and not body_bytes.endswith(CRLF):
        body_bytes += CRLF
    return out + CRLF + body_bytes


def simple_message(subject: str = "e2e test", body: bytes | str = "Hello.\n",
                   extra_headers: list[tuple[str, str]] | None = None,
                   sender: str = "sender@example.com", rcpt: str = "rcpt@example.com",
                   message_id: str | None = None) -> bytes:
    headers = [
        ("From", f"Sender <{sender}>"),
        ("To", f"<{rcpt}>"),
        ("Subject", subject),
        ("Date", "Tue, 25 Nov 2025 12:00:00 +0000"),
        ("Message-ID", message_id or unique_message_id()),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=us-ascii"),
    ]
    headers += extra_headers or []
    return build_message(headers, body)


@dataclass
class HeaderField:
    name: str        # as written (case kept)
    raw: bytes       # the whole field incl. folding and the final CRLF

    @property
    def value(self) -> str:
        """Unfolded value (CRLF removed, folding whitespace kept), leading space trimmed."""
        text = self.raw.decode("utf-8", "replace")
        text = text.split(":", 1)[1] if ":" in text else ""
        text = text.replace("\r\n", "").replace("\n", "")
        return text.lstrip(" \t")


def split_message(data: bytes) -> tuple[list[HeaderField], bytes]:
    """(header fields, body). The empty line between them belongs to neither."""
    lines = data.split(b"\n")
    # re-attach the "\n" that split() removed (the last piece has none)
    lines = [line + b"\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    fields: list[HeaderField] = []
    i = 0
    for i, line in enumerate(lines):
        if line in (b"\r\n", b"\n"):
            return fields, b"".join(lines[i + 1:])
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].raw += line
            continue
        name = line.split(b":", 1)[0].decode("utf-8", "replace").strip()
        fields.append(HeaderField(name, line))
    return fields, b""  # no body separator: all header


def header_values(data: bytes, name: str) -> list[str]:
    fields, _ = split_message(data)
    return [f.value for f in fields if f.name.lower() == name.lower()]


def body_of(data: bytes) -> bytes:
    return split_message(data)[1]


def split_postfix_received(delivered: bytes) -> tuple[bytes, bytes]:
    """(the Received: field Postfix prepended, the rest of the message).

    Raises ``ValueError`` when the first field is not Postfix's Received line,
    so a harness change that adds headers shows up loudly.
    """
    fields, _ = split_message(delivered)
    if not fields or fields[0].name.lower() != "received" or b"(Postfix)" not in fields[0].raw:
        first = fields[0].raw[:200] if fields else delivered[:200]
        raise ValueError(f"delivered message does not start with Postfix's Received: {first!r}")
    n = len(fields[0].raw)
    return delivered[:n], delivered[n:]


def remove_header(data: bytes, name: str) -> bytes:
    """The message with every field called ``name`` (any case) removed."""
    fields, body = split_message(data)
    kept = b"".join(f.raw for f in fields if f.name.lower() != name.lower())
    return kept + CRLF + body

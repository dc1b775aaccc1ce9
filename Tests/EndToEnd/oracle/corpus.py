"""The shared corpus (``/work/shared/corpus`` or ``$TRACKING_CORPUS``) as oracle cases.

Every ``messages/*.eml`` is one case, fed as it is. Every bare ``html/*.html``
body becomes two messages, built by Python's own ``email`` package so the input
is valid MIME: ``text/html; charset=utf-8`` in quoted-printable with CRLF line
ends (``-qp``) and in base64 with LF line ends (``-b64``).
"""

from __future__ import annotations

import csv
import email.charset
import email.message
import email.policy
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CORPUS = Path(os.environ.get("TRACKING_CORPUS", "/work/shared/corpus"))


def corpus_missing_reason() -> str | None:
    if not (CORPUS / "messages").is_dir() or not (CORPUS / "html").is_dir():
        return (f"the shared corpus is not at {CORPUS} (needs messages/ and html/; "
                f"set TRACKING_CORPUS to point elsewhere)")
    return None


@dataclass(frozen=True)
class Case:
    id: str           # the pytest id: the corpus file name, plus -qp/-b64 for bare HTML
    file: str         # path relative to the corpus root
    variant: str      # "message" | "qp" | "b64"

    @property
    def path(self) -> Path:
        return CORPUS / self.file

    def data(self) -> bytes:
        return case_bytes(self)

    @property
    def is_wrapped(self) -> bool:
        return self.variant != "message"


@lru_cache(maxsize=None)
def case_bytes(case: Case) -> bytes:
    raw = case.path.read_bytes()
    if case.variant == "message":
        return raw
    return wrap_html(raw, case.path.name, case.variant)


def wrap_html(html: bytes, name: str, variant: str) -> bytes:
    """A minimal message around a bare HTML body, encoded by ``email`` itself."""
    cs = email.charset.Charset("utf-8")
    cs.body_encoding = email.charset.QP if variant == "qp" else email.charset.BASE64
    msg = email.message.Message()
    msg["From"] = "Corpus Sender <sender@example.com>"
    msg["To"] = "<rcpt@example.com>"
    msg["Subject"] = f"corpus {name}"
    msg["Date"] = "Tue, 25 Nov 2025 12:00:00 +0000"
    msg["Message-ID"] = f"<corpus.{name}.{variant}@corpus.test>"
    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = "text/html"
    msg.set_payload(html.decode("utf-8"), cs)     # sets Content-Type and Content-Transfer-Encoding
    linesep = "\r\n" if variant == "qp" else "\n"
    return msg.as_bytes(policy=email.policy.compat32.clone(linesep=linesep))


def all_cases() -> list[Case]:
    if corpus_missing_reason():
        return []
    cases = [Case(p.name, f"messages/{p.name}", "message")
             for p in sorted((CORPUS / "messages").glob("*.eml"))]
    for p in sorted((CORPUS / "html").glob("*.html")):
        cases.append(Case(f"{p.name}-qp", f"html/{p.name}", "qp"))
        cases.append(Case(f"{p.name}-b64", f"html/{p.name}", "b64"))
    return cases


@lru_cache(maxsize=1)
def index() -> dict:
    """INDEX.tsv rows by file (``messages/x.eml``)."""
    path = CORPUS / "INDEX.tsv"
    if not path.exists():
        return {}
    with path.open(newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


def dkim_signed(data: bytes) -> bool:
    """A DKIM-Signature field in the top-level header (what the milter sees)."""
    from .rawmime import parse
    root = parse(data)
    return any(f.lname == "dkim-signature" for f in root.headers(data))

#!/usr/bin/env python3
"""Writes the rewriter benchmark's inputs into a folder (deterministic: same corpus, same bytes).

    make_fixtures.py OUT_DIR [CORPUS_HTML_DIR]

corpus.html        the corpus HTML files concatenated as they are (for HTMLRewriter alone)
html-8bit.eml      text/html; charset=utf-8, 8bit, CRLF; the corpus with lines folded at
                   whitespace to <= 600 octets (an 8bit body may not pass 998)
html-qp.eml        the same HTML, quoted-printable (Python's email package)
html-base64.eml    the same HTML, base64 (Python's email package)
big.eml            multipart/mixed: a small quoted-printable HTML part + an 18 MiB random
                   attachment in base64 (about 24.6 MB of base64 lines), about 25 MB in all
big-noattach.eml   big.eml without the attachment, to separate the attachment's cost
"""
import glob
import os
import random
import sys
from email import policy
from email.message import EmailMessage

FOLD_AT = 600
ATTACHMENT_RAW_BYTES = 18 * 1024 * 1024
SMALL_HTML = "leemunroe__email-inlined.html"


def fold(data: bytes, limit: int = FOLD_AT) -> bytes:
    """LF line endings, each line cut at its last space (or '>') before `limit` octets."""
    out = []
    for line in data.replace(b"\r\n", b"\n").split(b"\n"):
        while len(line) > limit:
            cut = line.rfind(b" ", 1, limit)
            if cut <= 0:
                cut = line.rfind(b">", 1, limit - 1) + 1
            if cut <= 0:
                cut = limit
            out.append(line[:cut])
            line = line[cut:].lstrip(b" ") if line[cut:cut + 1] == b" " else line[cut:]
        out.append(line)
    return b"\n".join(out)


def headers(msg: EmailMessage, subject: str) -> None:
    msg["From"] = "Newsletter <news@example.com>"
    msg["To"] = "someone@example.org"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 01 Jun 2026 12:00:00 +0000"
    msg["Message-ID"] = "<bench-%s@example.com>" % subject.replace(" ", "-")


def html_message(html: str, cte: str) -> bytes:
    msg = EmailMessage(policy=policy.SMTP)
    headers(msg, "corpus " + cte)
    msg.set_content(html, subtype="html", charset="utf-8", cte=cte)
    return msg.as_bytes()


def mixed_message(html: str, attachment: bytes | None) -> bytes:
    msg = EmailMessage(policy=policy.SMTP)
    headers(msg, "big" if attachment else "big no attachment")
    msg.set_content(html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.make_mixed()
    if attachment is not None:
        msg.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="random.bin")
    return msg.as_bytes()


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import postfix_tracking  # noqa: E402


def main() -> None:
    out_dir = sys.argv[1]
    corpus = sys.argv[2] if len(sys.argv) > 2 else "/work/shared/corpus/html"
    os.makedirs(out_dir, exist_ok=True)
    files = sorted(glob.glob(os.path.join(corpus, "*.html")))
    if not files:
        sys.exit(f"no *.html in {corpus}")
    raw = b"".join(open(f, "rb").read() for f in files)
    html = fold(raw).decode("utf-8")
    small = fold(open(os.path.join(corpus, SMALL_HTML), "rb").read()).decode("utf-8")
    attachment = random.Random(20260601).randbytes(ATTACHMENT_RAW_BYTES)

    outputs = {
        "corpus.html": raw,
        "html-8bit.eml": html_message(html, "8bit"),
        "html-qp.eml": html_message(html, "quoted-printable"),
        "html-base64.eml": html_message(html, "base64"),
        "big.eml": mixed_message(small, attachment),
        "big-noattach.eml": mixed_message(small, None),
        # The 7.8 KB newsletter of the Postfix benchmark (Benchmarks/postfix_tracking.py).
        "newsletter.eml": postfix_tracking.message("newsletter", True),
    }
    for name, data in outputs.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        longest = max(len(line) for line in data.split(b"\n"))
        print(f"{name:18} {len(data):>11,} bytes  longest line {longest}")


if __name__ == "__main__":
    main()

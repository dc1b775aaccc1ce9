#!/usr/bin/env python3
"""How much tracking grows a newsletter, and how long its click URLs are (issue #11, item 4).

Runs ``tracking-milter rewrite`` (the milter's own rewrite path, offline) on the newsletters
of ``postfix_tracking.py`` with open and click tracking on, a recipient per message (split
mode: every token carries the recipient), the X-MSYS-API campaign, two metadata keys and two
tags, once with ``click_tracking_include_metadata: true`` (the default) and once with
``false``. Prints bytes in and out, the growth, and the click URL lengths found in the
delivered message (parsed back with Python's ``email``). ``--baseline BIN`` runs an older
build on the same messages for an old-versus-new table from one run.

    python3 Benchmarks/token_size.py [--build .build/release] [--baseline OLD/tracking-milter]
"""
from __future__ import annotations

import argparse
import email
import re
import statistics
import subprocess
import sys
import tempfile
from email.policy import default
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "Tests" / "EndToEnd"))
sys.path.insert(0, str(REPO / "Benchmarks"))

from harness.trackingconfig import tracking_config, write_yaml  # noqa: E402
from postfix_tracking import message  # noqa: E402

DOMAIN = "click.example.com"
CLICK = re.compile(rf"https?://{re.escape(DOMAIN)}/f/[A-Za-z0-9_/-]+")


def click_urls(delivered: bytes) -> list[str]:
    msg = email.message_from_bytes(delivered, policy=default)
    urls: list[str] = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            urls += CLICK.findall(part.get_content())
    return urls


def rewrite(binary: Path, config: Path, raw: bytes) -> bytes:
    done = subprocess.run([str(binary), "rewrite", "--config", str(config), "--rcpt", "jane.doe@example.org"],
                          input=raw, capture_output=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{binary} rewrite failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    return done.stdout


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", type=Path, default=REPO / ".build" / "release", help="folder with tracking-milter")
    p.add_argument("--baseline", type=Path, help="an older tracking-milter binary to compare")
    p.add_argument("--recipient-mode", default="split", choices=["split", "shared"],
                   help="split (default): tokens carry the recipient; shared: one body, no recipient in tokens")
    args = p.parse_args()
    builds = [("this build", args.build / "tracking-milter")]
    if args.baseline:
        builds.append(("baseline", args.baseline))
    with tempfile.TemporaryDirectory(prefix="token-size-") as tmp:
        keys = Path(tmp) / "keys"
        subprocess.run([str(builds[0][1]), "keygen", "--file", str(keys)], check=True, capture_output=True)
        print("| build | message | metadata in click URLs | bytes in | bytes out | growth | click URL characters (min / median / max) | click URLs |")
        print("|---|---|---|---:|---:|---:|---|---:|")
        for label, binary in builds:
            for kind in ("newsletter", "newsletter-50k"):
                raw = message(kind, tracking=True)
                for include in (True, False):
                    cfg = tracking_config(socket=_NoSocket(), overrides={
                        "milter": {"recipient_mode": args.recipient_mode},
                        "tracking": {"tracking_domain": DOMAIN, "click_tracking_include_metadata": include},
                        "keys": {"file": str(keys)},
                    })
                    config = write_yaml(Path(tmp) / f"{kind}-{include}.yaml", cfg)
                    out = rewrite(binary, config, raw)
                    urls = click_urls(out)
                    lengths = sorted(len(u) for u in urls) or [0]
                    print(f"| {label} | {kind} | {'yes' if include else 'no'} | {len(raw)} | {len(out)} | "
                          f"{len(out) / len(raw):.2f}× | {lengths[0]} / {statistics.median(lengths):.0f} / "
                          f"{lengths[-1]} | {len(urls)} |")
    return 0


class _NoSocket:
    """The rewrite command needs no socket; the config still names one."""
    libmilter = "unix:/nonexistent/token-size.sock"


if __name__ == "__main__":
    sys.exit(main())

"""Run ``tracking-milter rewrite`` and ``decode`` for the oracle.

- ``rewrite --config FILE --rcpt ADDR --from ADDR < in.eml > out.eml``: the milter's code
  path offline; one log line (``msg=message``) on stderr.
- ``decode --config FILE -``: URLs on stdin, one JSON object per line on stdout.

Configs come from ``harness.trackingconfig`` (open and click tracking on,
``tracking_domain: track.example.test``), one with ``rewrite_signed: true`` (the
main run, so DKIM-signed corpus messages are rewritten too) and one with
``rewrite_signed: false``; both share one key file made by the binary's own
``keygen`` (``harness.programs.make_key_file``).
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from harness.logparse import parse_line
from harness.programs import make_key_file
from harness.resources import Resources
from harness.sockspec import SocketSpec
from harness.trackingconfig import tracking_config, write_yaml

RCPT = "rcpt@example.com"
SENDER = "sender@example.com"
TRACKING_DOMAIN = "track.example.test"

TRACKING = {"open_tracking_enabled": True, "click_tracking_enabled": True,
            "tracking_domain": TRACKING_DOMAIN}


def oracle_config(rewrite_signed: bool, keys: Path | None = None, socket: SocketSpec | None = None) -> dict:
    over = {"tracking": dict(TRACKING), "milter": {"rewrite_signed": rewrite_signed}}
    if keys is not None:
        over["keys"] = {"file": str(keys)}
    return tracking_config(socket or SocketSpec.unix("/tmp/tracking-oracle-unused.sock"), over)


@dataclass
class RewriteResult:
    input: bytes
    output: bytes
    stderr: str
    returncode: int
    log: dict | None          # the msg=message record, parsed

    @property
    def log_text(self) -> str:
        return self.stderr[-2000:]


class Tool:
    """The binary plus two configs (rewrite_signed true/false) sharing one key file."""

    TIMEOUT = 60

    def __init__(self, binary: Path, res: Resources):
        self.binary = Path(binary)
        self.res = res
        keys = make_key_file(res, self.binary)
        self.keys = keys
        self.configs = {
            True: write_yaml(res.path("oracle-signed.yaml"), oracle_config(True, keys)),
            False: write_yaml(res.path("oracle-unsigned.yaml"), oracle_config(False, keys)),
        }

    def rewrite(self, data: bytes, rewrite_signed: bool = True, rcpts=(RCPT,),
                sender: str | None = SENDER) -> RewriteResult:
        argv = [str(self.binary), "rewrite", "--config", str(self.configs[rewrite_signed])]
        for r in rcpts:
            argv += ["--rcpt", r]
        if sender:
            argv += ["--from", sender]
        p = subprocess.run(argv, input=data, capture_output=True, timeout=self.TIMEOUT)
        err = p.stderr.decode("utf-8", "replace")
        return RewriteResult(data, p.stdout, err, p.returncode, message_record(err))

    def rewrite_many(self, items: dict, rewrite_signed: bool = True, workers: int = 4) -> dict:
        """``{key: input bytes}`` -> ``{key: RewriteResult}``, run in parallel."""
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futs = {k: pool.submit(self.rewrite, v, rewrite_signed) for k, v in items.items()}
            return {k: f.result() for k, f in futs.items()}

    def decode(self, urls) -> dict:
        """``{url: record}`` for every URL; records with ``error`` for those that did not open."""
        urls = list(dict.fromkeys(u for u in urls if u))
        if not urls:
            return {}
        p = subprocess.run([str(self.binary), "decode", "--config", str(self.configs[True]), "-"],
                           input=("\n".join(urls) + "\n").encode(), capture_output=True,
                           timeout=self.TIMEOUT)
        lines = [ln for ln in p.stdout.decode("utf-8", "replace").splitlines() if ln.strip()]
        if len(lines) != len(urls):
            err = p.stderr.decode("utf-8", "replace")[-500:]
            return {u: {"error": f"decode printed {len(lines)} lines for {len(urls)} URLs "
                                 f"(exit {p.returncode}): {err}", "url": u} for u in urls}
        out = {}
        for u, ln in zip(urls, lines):
            try:
                out[u] = json.loads(ln)
            except ValueError:
                out[u] = {"error": f"not JSON: {ln[:200]}", "url": u}
        return out


def has_rewrite_command(binary: Path) -> bool:
    """Whether this build has ``rewrite`` (it is being written while these tests are)."""
    try:
        p = subprocess.run([str(binary), "--help"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"rewrite" in p.stdout + p.stderr


def message_record(stderr: str) -> dict | None:
    rec = None
    for line in stderr.splitlines():
        if "msg=message" not in line and '"msg":"message"' not in line and '"message"' not in line:
            continue
        try:
            r = parse_line(line)
        except ValueError:
            continue
        if r.get("msg") == "message":
            rec = r
    return rec


def skipped_counts(value) -> dict:
    """``links_skipped=not_http:3,tracking_domain:1`` -> {"not_http": 3, ...}."""
    out = {}
    if not value or value is True:
        return out
    for item in str(value).split(","):
        if ":" in item:
            k, v = item.rsplit(":", 1)
            try:
                out[k.strip()] = int(v)
            except ValueError:
                pass
    return out

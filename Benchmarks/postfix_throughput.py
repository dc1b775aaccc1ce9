#!/usr/bin/env python3
"""Postfix throughput with and without tracking-milter, measured in one run.

A private Postfix on 127.0.0.1 (the end-to-end harness's) delivers to discard(8);
Postfix's smtp-source sends MESSAGES one-message sessions, PARALLEL at a time. Each
set-up runs ROUNDS times; the median msg/s is reported with its ratio to the no-milter
baseline of the same run. passthrough-milter (Examples/) takes part in no step: it measures
the milter protocol through the Milter library alone. tracking-milter runs with its default
configuration (split mode, tracking off, log lines at info) on messages without an
X-MSYS-API header: the product's own cost before any rewriting.

Usage: Benchmarks/run-postfix-throughput [--messages 2000] [--parallel 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "EndToEnd"))

from harness.programs import start_tracking  # noqa: E402
from harness.resources import Resources  # noqa: E402

SMTP_SOURCE = shutil.which("smtp-source") or "/usr/sbin/smtp-source"


def rate(port: int, messages: int, parallel: int) -> float:
    start = time.monotonic()
    subprocess.run([SMTP_SOURCE, "-s", str(parallel), "-m", str(messages), "-f", "bench@example.net",
                    "-t", "rcpt@example.com", f"127.0.0.1:{port}"], check=True, timeout=600)
    return messages / (time.monotonic() - start)


def measure(label: str, program: str | None, socket_kind: str | None, args, journal: bool = False) -> float:
    res = Resources(label=label)
    try:
        milter = None
        if program == "tracking-milter":
            overrides = {"milter": {"poison_journal": str(res.path("poison.journal"))}} if journal else None
            milter = start_tracking(res, args.build / "tracking-milter", kind=socket_kind, overrides=overrides).socket
        elif program == "passthrough-milter":
            socket = res.socket(socket_kind, "passthrough")
            milter = res.milter([str(args.build / "passthrough-milter"), "--socket", socket.libmilter], socket,
                                name="passthrough").socket
        pf = res.postfix(milter=milter, discard=True)
        rate(pf.port, min(200, args.messages), args.parallel)  # warm up
        rates = [rate(pf.port, args.messages, args.parallel) for _ in range(args.rounds)]
        return statistics.median(rates)
    finally:
        res.close()
        res.remove_files()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--parallel", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--build", type=Path, default=REPO / ".build" / "release", help="folder with the release binaries")
    args = p.parse_args()
    for name in ("tracking-milter", "passthrough-milter"):
        if not (args.build / name).is_file():
            print(f"{args.build / name} is missing: swift build -c release", file=sys.stderr)
            return 2

    results = {}
    setups = [("Postfix, no milter", None, None),
              ("Postfix + passthrough-milter, unix socket", "passthrough-milter", "unix"),
              ("Postfix + passthrough-milter, TCP", "passthrough-milter", "inet"),
              ("Postfix + tracking-milter (tracking off), unix socket", "tracking-milter", "unix"),
              ("Postfix + tracking-milter (tracking off, poison journal on), unix socket", "tracking-milter", "unix"),
              ("Postfix + tracking-milter (tracking off), TCP", "tracking-milter", "inet")]
    for label, program, kind in setups:
        results[label] = measure(label, program, kind, args, journal="poison journal" in label)
        print(f"{label}: {results[label]:.0f} msg/s", flush=True)

    base = results["Postfix, no milter"]
    print()
    print(f"{args.messages} one-message sessions, {args.parallel} in parallel, median of {args.rounds}")
    print("| set-up | msg/s | vs no milter |")
    print("|---|---|---|")
    for label, value in results.items():
        print(f"| {label} | {value:.0f} | {value / base:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

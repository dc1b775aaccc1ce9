#!/usr/bin/env python3
"""Events per second the shipper delivers to a webhook receiver on this machine.

Writes EVENTS events (the end-to-end tests' mix of types, about 450 bytes each) into closed
spool segments, starts the test webhook receiver (Tests/EndToEnd/harness/webhook_receiver.py,
Python's threaded http.server, counting only), and times ``tracking-milter ship --once``
delivering all of it in batches of BATCH events. The receiver, not the shipper, is usually
the limit: read the figure as "at least this fast". Not an asserted timing.

Usage: Benchmarks/ship_webhook.py [--events 200000] [--batch 1000] [--rounds 3]
       [--binary .build/release/tracking-milter]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "EndToEnd"))

from harness.net import free_port, tcp_accepts, wait_until  # noqa: E402
from harness.spoolwriter import SegmentWriter, make_event  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--binary", default=str(REPO / ".build" / "release" / "tracking-milter"))
    args = ap.parse_args()
    rates = []
    for _ in range(args.rounds):
        base = Path(tempfile.mkdtemp(prefix="ship-bench-"))
        spool = base / "spool"
        spool.mkdir()
        writer = SegmentWriter(spool, "tracker", 50_000, pid=1)
        for n in range(args.events):
            writer.write(make_event(n, "tracker"))
        writer.close()
        size = sum(p.stat().st_size for p in spool.glob("seg-*.jsonl"))
        port = free_port()
        receiver = subprocess.Popen([sys.executable, str(REPO / "Tests/EndToEnd/harness/webhook_receiver.py"),
                                     "--port", str(port), "--count-only"], stdout=subprocess.DEVNULL)
        try:
            wait_until(lambda: tcp_accepts(port), timeout=10, what="the receiver")
            config = base / "ship.yaml"
            config.write_text(json.dumps({
                "log": {"level": "warning"},
                "events": {"spool": {"dir": str(spool)}, "webhooks": [{
                    "name": "bench", "url": f"http://127.0.0.1:{port}/", "batch_max_events": args.batch,
                    "batch_max_bytes": 16 << 20}]},
            }))
            started = time.monotonic()
            subprocess.run([args.binary, "ship", "--config", str(config), "--once"], check=True, timeout=600)
            elapsed = time.monotonic() - started
            counts = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/count"))
            assert counts["events"] == args.events, counts
            rates.append(args.events / elapsed)
            print(f"{args.events} events ({size / args.events:.0f} bytes each) in {counts['batches']} batches: "
                  f"{elapsed:.2f} s, {args.events / elapsed:,.0f} events/s", flush=True)
        finally:
            receiver.kill()
            receiver.wait()
            shutil.rmtree(base, ignore_errors=True)
    print(f"median: {statistics.median(rates):,.0f} events/s")


if __name__ == "__main__":
    main()

"""A SparkPost-style webhook receiver for tests and the benchmark: a threaded http.server on
127.0.0.1 that records every POST as one JSON line and answers as a control file says.

Run as a process (so a test can kill it and start it again on the same port):

    python3 webhook_receiver.py --port P --record FILE --control FILE [--secret S]
        [--username U --password P] [--hang-seconds N]

The control file holds one word, read on every request: ``ok`` (200), ``fail`` (500) or
``hang`` (sleep --hang-seconds, then 503 — past the shipper's timeout). A missing file is
``ok``. Each record line: ``{"t", "mode", "status", "batch_id", "event_ids", "types",
"categories", "signature_ok", "auth_ok", "content_type"}``. With ``--count-only`` it keeps
only counts (for the benchmark) and answers ``GET /count``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify_signature(secret: str, headers, body: bytes) -> bool:
    """What a receiver does with X-Tracking-Signature (docs/events.md)."""
    timestamp = headers.get("X-Tracking-Signature-Timestamp", "")
    signature = headers.get("X-Tracking-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--record", default="")
    ap.add_argument("--control", default="")
    ap.add_argument("--secret", default="")
    ap.add_argument("--username", default="")
    ap.add_argument("--password", default="")
    ap.add_argument("--hang-seconds", type=float, default=3.0)
    ap.add_argument("--count-only", action="store_true")
    args = ap.parse_args()

    lock = threading.Lock()
    record = open(args.record, "a", buffering=1) if args.record else None
    counts = {"events": 0, "batches": 0}

    def mode() -> str:
        try:
            with open(args.control) as f:
                return f.read().strip() or "ok"
        except OSError:
            return "ok"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):  # quiet
            pass

        def do_GET(self):
            body = json.dumps(counts).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            m = mode()
            if args.count_only:
                n = body.count(b'"event_id"')
                with lock:
                    counts["events"] += n
                    counts["batches"] += 1
                return self.answer(200)
            status = {"ok": 200, "fail": 500, "hang": 503}.get(m, 200)
            entry = {"t": time.time(), "mode": m, "status": status,
                     "batch_id": self.headers.get("X-MessageSystems-Batch-ID"),
                     "content_type": self.headers.get("Content-Type")}
            try:
                items = json.loads(body)
                entry["event_ids"] = [next(iter(i["msys"].values()))["event_id"] for i in items]
                entry["types"] = [next(iter(i["msys"].values()))["type"] for i in items]
                entry["categories"] = [next(iter(i["msys"])) for i in items]
            except Exception as e:  # recorded; the test fails on it
                entry["parse_error"] = repr(e)
            if args.secret:
                entry["signature_ok"] = verify_signature(args.secret, self.headers, body)
            if args.username:
                expected = "Basic " + base64.b64encode(f"{args.username}:{args.password}".encode()).decode()
                entry["auth_ok"] = self.headers.get("Authorization") == expected
            with lock:
                if record:
                    record.write(json.dumps(entry) + "\n")
            if m == "hang":
                time.sleep(args.hang_seconds)
            self.answer(status)

        def answer(self, status: int):
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"listening {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()

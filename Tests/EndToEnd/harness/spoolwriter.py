"""Writes spool segments as docs/events.md ("Spool format") specifies, for shipper tests
until the producers' own spool writer is merged: ``seg-<µs>-<producer>-<pid>-<seq>.jsonl``,
held with ``flock(LOCK_EX)`` while open, one ``write(2)`` per line on ``O_APPEND``, closed
(unlocked) at rotation."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import time
from pathlib import Path

TYPES = ["injection", "open", "initial_open", "click", "link_unsubscribe", "list_unsubscribe"]


def make_event(n: int, producer: str) -> dict:
    """Event number ``n`` with a fresh 128-bit event_id, cycling through every type."""
    kind = TYPES[n % len(TYPES)] if producer == "tracker" else "injection"
    if producer == "tracker" and kind == "injection":
        kind = "click"
    now = time.time()
    event = {
        "type": kind, "event_id": secrets.token_hex(16),
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z",
        "message_id": f"{n:020x}", "rcpt_to": f"user{n}@example.com", "customer_id": None,
        "campaign_id": "spring", "rcpt_meta": {"n": n}, "rcpt_tags": ["t"],
    }
    if kind in ("click", "link_unsubscribe"):
        event.update(target_link_url=f"https://example.com/{n}", target_link_name=None)
    if kind != "injection":
        event.update(user_agent="test", ip_address="192.0.2.1", machine=None)
    else:
        event.update(subject="hello", friendly_from="a@example.com", msg_from="a@example.com", msg_size="100",
                     transactional="0", injection_time=event["timestamp"], queue_id="ABC")
    return event


class SegmentWriter:
    """One producer's writer: appends lines, rotates every ``per_segment`` events."""

    def __init__(self, directory: Path, producer: str, per_segment: int, pid: int | None = None):
        self.directory = Path(directory)
        self.producer = producer
        self.per_segment = per_segment
        self.pid = pid or os.getpid()
        self.seq = 0
        self.fd = -1
        self.in_segment = 0

    def _open(self) -> None:
        self.seq += 1
        name = f"seg-{int(time.time() * 1e6):016d}-{self.producer}-{self.pid}-{self.seq:06d}.jsonl"
        self.fd = os.open(self.directory / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.in_segment = 0

    def write(self, event: dict) -> None:
        if self.fd < 0:
            self._open()
        os.write(self.fd, (json.dumps(event, separators=(",", ":")) + "\n").encode())
        self.in_segment += 1
        if self.in_segment >= self.per_segment:
            self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # releases the lock: the segment is closed
            self.fd = -1

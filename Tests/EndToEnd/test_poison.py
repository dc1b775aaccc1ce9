"""A message that crashes the milter must not crash it again (issue: poison-message bypass).

Real parts: an upstream Postfix (A) that queues and retries relays into the Postfix (B)
that runs the milter with ``milter_default_action = tempfail``; the milter runs under a
restart loop, as systemd's ``Restart=always`` runs it. A test-only fault makes the milter
trap (a real Swift trap, as a bug would) at the end of one message; other messages sit at
end of message (a test-only delay) while it happens.

Expected: the first attempt of every message in flight gets a 4xx as the milter dies; A
retries; the crashing message is then delivered byte for byte unchanged with
``outcome=poison-bypassed`` in the log, and the others are delivered once each, tracked.
"""

from __future__ import annotations

import threading
import time

import pytest

from harness.message import build_message, split_postfix_received, unique_message_id
from harness.milter import MilterExited
from harness.programs import start_tracking
from harness.relay import delivery_attempts, start_relay_pair
from harness.tracking import api_header_value

pytestmark = pytest.mark.usefixtures("needs_postfix")

HTML = '<html><body><p><a href="https://shop.example/offer">offer</a></p></body></html>\n'
API = api_header_value({"campaign_id": "poison", "options": {"click_tracking": True}})


def message(mid: str) -> bytes:
    return build_message([
        ("From", "Sender <sender@example.com>"), ("To", "<rcpt@example.com>"), ("Subject", "poison"),
        ("Message-ID", mid), ("MIME-Version", "1.0"), ("X-MSYS-API", API),
        ("Content-Type", "text/html; charset=utf-8"),
    ], HTML)


def without_received(delivered: bytes) -> bytes:
    """The message as sent: the Received headers both Postfix instances put on top removed."""
    data = delivered
    while data.lower().startswith(b"received:"):
        _, data = split_postfix_received(data)
    return data


class RestartLoop:
    """Restarts a dead milter after a short pause, like systemd's Restart=always; bounded."""

    def __init__(self, milter, pause: float = 0.5, max_restarts: int = 10):
        self.milter, self.pause, self.max_restarts = milter, pause, max_restarts
        self.restarts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self):
        while not self._stop.wait(0.1):
            if self.milter.alive() or self.restarts >= self.max_restarts:
                continue
            time.sleep(self.pause)
            try:
                self.milter.start()
                self.restarts += 1
            except MilterExited:
                self.restarts += 1


def test_a_message_that_crashed_the_milter_passes_unchanged_on_retry(e2e, tracking_bin):
    milter = start_tracking(e2e, tracking_bin, overrides={
        "milter": {"poison_journal": str(e2e.path("poison.journal"))},
    # As the shipped unit runs it: Swift's backtracer would hold the dying process (and
    # every session in it) for about 35 s before the restart (docs/reliability.md).
    }, env={"TRACKING_MILTER_TEST_FAULTS": "crash-eom:poison-,delay-eom:slow-:3", "SWIFT_BACKTRACE": "enable=no"})
    a, b = start_relay_pair(e2e, milter.socket, fast_retry=True)
    poison = unique_message_id("poison-")
    slow = [unique_message_id(f"slow-{n}-") for n in range(3)]
    sent = {mid: message(mid) for mid in [*slow, poison]}

    with RestartLoop(milter) as loop:
        for mid in slow:
            assert a.send("sender@example.com", ["rcpt@example.com"], sent[mid]).ok
        time.sleep(1.0)   # the slow ones reach end of message and wait there
        assert a.send("sender@example.com", ["rcpt@example.com"], sent[poison]).ok
        deliveries = b.wait_deliveries(len(sent), timeout=90)

    assert loop.restarts >= 1
    by_id = {}
    for d in deliveries:
        original = without_received(d.data)
        mid = next(line.split(b":", 1)[1].strip().decode() for line in original.split(b"\r\n")
                   if line.lower().startswith(b"message-id:"))
        by_id.setdefault(mid, []).append(original)
    assert sorted(by_id) == sorted(sent), sorted(by_id)
    assert all(len(copies) == 1 for copies in by_id.values()), {k: len(v) for k, v in by_id.items()}

    # The crashing message: delivered exactly as sent, X-MSYS-API header and all.
    assert by_id[poison][0] == sent[poison]
    # The others, in flight when the milter died: retried and tracked as usual.
    for mid in slow:
        assert b"/f/" in by_id[mid][0] and b"X-MSYS-API" not in by_id[mid][0], mid

    records = milter.records()
    bypassed = [r for r in records if r.get("outcome") == "poison-bypassed"]
    assert [r.get("header_message_id") for r in bypassed] == [poison], bypassed
    assert any("crashed on a message" in r.get("msg", "") for r in records), records[-5:]
    deferred = [x for x in delivery_attempts(a.maillog()) if x.status == "deferred"]
    assert deferred, "the first attempts should have been tempfailed"

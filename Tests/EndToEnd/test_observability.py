"""What an operator watches: the milter's Prometheus endpoint and health check
(``milter.metrics_listen``), and the tracker's ``/metrics`` on a listener of its own
(``tracker.metrics_listen``) and its idle-connection timeout (``tracker.idle_timeout``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness.message import build_message, unique_message_id
from harness.net import LOOPBACK, free_port, tcp_accepts, wait_until
from harness.programs import make_key_file, start_tracking
from harness.trackerprocess import running_tracker
from harness.trackingconfig import write_yaml

HTML = '<html><body><a href="https://shop.example/a">a</a> <a href="https://shop.example/b">b</a></body></html>\n'


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} not exposed:\n{text[:3000]}")


@pytest.mark.usefixtures("needs_postfix")
def test_milter_metrics_and_health(e2e, tracking_bin):
    port = free_port()
    milter = start_tracking(e2e, tracking_bin, overrides={
        "milter": {"metrics_listen": f"{LOOPBACK}:{port}"},
        "tracking": {"click_tracking_enabled": True},
    })
    wait_until(lambda: tcp_accepts(port), timeout=20, what="the milter's metrics endpoint")
    assert fetch(f"http://{LOOPBACK}:{port}/healthz") == (200, "ok\n")

    pf = e2e.postfix(milter=milter.socket)
    for n in range(3):
        message = build_message([
            ("From", "<s@example.com>"), ("To", "<r@example.com>"), ("Subject", "metrics"),
            ("Message-ID", unique_message_id(f"metrics{n}")), ("MIME-Version", "1.0"),
            ("Content-Type", "text/html; charset=utf-8"),
        ], HTML)
        assert pf.send("s@example.com", ["r@example.com"], message).ok
    pf.wait_deliveries(3)
    os.kill(milter.pid, signal.SIGUSR1)
    wait_until(lambda: any(r.get("msg") == "reloaded" for r in milter.records()), timeout=10, what="the reload")

    status, text = fetch(f"http://{LOOPBACK}:{port}/metrics")
    assert status == 200
    assert value(text, 'tracking_milter_messages_total{outcome="rewritten"}') == 3
    assert value(text, "tracking_milter_links_tracked_total") == 6
    assert value(text, 'tracking_milter_reloads_total{result="applied"}') == 1
    assert value(text, 'tracking_milter_errors_total{kind="step"}') == 0
    assert value(text, "tracking_milter_message_processing_seconds_count") == 3
    assert re.search(r"^tracking_milter_sessions [0-9.]+$", text, re.M)
    assert fetch(f"http://{LOOPBACK}:{port}/nothing")[0] == 404


def test_tracker_metrics_on_their_own_listener_and_idle_connections_closed(e2e, tracking_bin):
    port, metrics_port = free_port(), free_port()
    config = write_yaml(e2e.path("tracker.yaml"), {
        "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
        "keys": {"file": str(make_key_file(e2e, tracking_bin))},
        "tracker": {"listen": f"{LOOPBACK}:{port}", "metrics_listen": f"{LOOPBACK}:{metrics_port}",
                    "idle_timeout": 1},
    })
    with running_tracker(tracking_bin, config, port, Path(e2e.path("tracker.log"))):
        wait_until(lambda: tcp_accepts(metrics_port), timeout=20, what="the tracker's metrics listener")
        assert fetch(f"http://{LOOPBACK}:{port}/healthz")[0] == 200
        assert fetch(f"http://{LOOPBACK}:{port}/metrics")[0] == 404      # not on the public address
        status, text = fetch(f"http://{LOOPBACK}:{metrics_port}/metrics")
        assert status == 200
        assert value(text, 'tracker_requests_total{route="healthz",outcome="ok"}') == 1
        assert fetch(f"http://{LOOPBACK}:{metrics_port}/healthz") == (200, "ok\n")

        # A client that connects and says nothing is disconnected after idle_timeout.
        with socket.create_connection((LOOPBACK, port), timeout=10) as idle:
            started = time.monotonic()
            assert idle.recv(1) == b""
            assert time.monotonic() - started < 8

"""The tracker's events file under a real write failure: a file-size limit (RLIMIT_FSIZE,
set with prlimit) makes writes fail part-way, as a full disk does. Every click still
redirects; the file holds only whole JSON lines; the failure shows in the log and in
/metrics; once the limit is lifted, every event kept in memory reaches the file, in order.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.net import LOOPBACK, free_port, wait_until
from harness.programs import make_key_file
from harness.trackerprocess import running_tracker
from harness.trackingconfig import write_yaml
from test_tracking_loop import get

CLICKS = 40
LIMIT = 6000   # bytes: a handful of event lines


def tracked_urls(tracking_bin: Path, config: Path, count: int) -> list[str]:
    """Click URLs sealed by the milter's own rewrite, one per link."""
    links = "".join(f'<a href="https://shop.example/item/{n}">item {n}</a>\r\n' for n in range(count))
    message = ("From: <news@shop.example>\r\nTo: <r@example.com>\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>" + links + "</body></html>\r\n").encode()
    out = subprocess.run([str(tracking_bin), "rewrite", "--config", str(config), "--rcpt", "r@example.com"],
                         input=message, capture_output=True, timeout=60, check=True).stdout.decode()
    urls = re.findall(r'href="(http://[^"]+/f/[^"]+)"', out)
    assert len(urls) == count, out[:2000]
    return urls


@pytest.mark.skipif(not shutil.which("prlimit"), reason="prlimit (util-linux) is not installed")
def test_events_survive_a_file_size_limit(e2e, tracking_bin):
    port = free_port()
    events = Path(e2e.path("events.jsonl"))
    config = write_yaml(e2e.path("tracker.yaml"), {
        "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
        "log": {"format": "json", "level": "info"},
        "keys": {"file": str(make_key_file(e2e, tracking_bin))},
        "tracking": {"click_tracking_enabled": True, "tracking_domain": f"{LOOPBACK}:{port}"},
        "tracker": {"listen": f"{LOOPBACK}:{port}", "events_file": str(events)},
    })
    urls = tracked_urls(tracking_bin, config, CLICKS)
    log = Path(e2e.path("tracker.log"))
    with running_tracker(tracking_bin, config, port, log, wrapper=["prlimit", f"--fsize={LIMIT}:unlimited", "--"]) as tracker:
        for url in urls:
            response = get(url, {"User-Agent": "LimitTest/1.0"})
            assert response.status == 302, (url, response.status)
        text = events.read_bytes()
        assert len(text) <= LIMIT
        assert text.endswith(b"\n")
        written = [json.loads(line) for line in text.splitlines()]      # whole lines only
        assert 0 < len(written) < CLICKS
        assert any("cannot write to the events file" in line for line in log.read_text().splitlines())
        metrics = get_text(f"http://{LOOPBACK}:{port}/metrics")
        assert metric(metrics, "tracker_event_write_failures_total") > 0
        assert metric(metrics, "tracker_events_pending") == CLICKS - len(written)

        subprocess.run(["prlimit", "--pid", str(tracker.pid), "--fsize=unlimited"], check=True, timeout=10)

        def lines():
            return [json.loads(line) for line in events.read_bytes().splitlines()]
        wait_until(lambda: len(lines()) == CLICKS, timeout=15, what=f"{CLICKS} event lines after the limit was lifted")
        got = lines()
        assert [e["target_link_url"] for e in got] == [f"https://shop.example/item/{n}" for n in range(CLICKS)]
        assert all(e["user_agent"] == "LimitTest/1.0" for e in got)
        assert metric(get_text(f"http://{LOOPBACK}:{port}/metrics"), "tracker_events_pending") == 0


def get_text(url: str) -> str:
    import urllib.request
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics:\n{text[:2000]}")

"""The event spool (docs/events.md) with real parts: Postfix and the milter append one
``injection`` per recipient of a tracked message, with the message id its delivered URLs
carry; the tracker appends its clicks and opens, with the same ``event_id`` as in its
events file; a file-size limit (prlimit) makes segment writes fail part-way and no line is
torn or lost; a milter SIGKILLed under load leaves a spool of whole lines whose injections
cover every delivered message.
"""

from __future__ import annotations

import email
import email.policy
import fcntl
import json
import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import html5lib
import pytest

from harness.load import send_load
from harness.message import build_message, split_postfix_received, unique_message_id
from harness.net import LOOPBACK, free_port, wait_until
from harness.programs import make_key_file, start_tracking
from harness.relay import start_relay_pair
from harness.supervisor import start_supervised_tracking
from harness.trackerprocess import running_tracker
from harness.trackingconfig import write_yaml
from test_tracker_events_file import get_text, metric, tracked_urls
from test_tracking_loop import get

SEGMENT_RE = re.compile(r"^seg-\d{16}-(milter|tracker)-\d+-\d{6}\.jsonl$")
EVENT_ID_RE = re.compile(r"^[0-9a-f]{32}$")
INJECTION_FIELDS = [
    "type", "event_id", "timestamp", "message_id", "rcpt_to", "customer_id", "campaign_id", "rcpt_meta",
    "rcpt_tags", "subject", "friendly_from", "msg_from", "msg_size", "transactional", "injection_time", "queue_id",
]
API = json.dumps({"campaign_id": "spool-campaign", "metadata": {"user": "u-42"}, "tags": ["weekly"],
                  "options": {"open_tracking": True, "click_tracking": True}})
HTML = ('<html><body><p>Hello</p><a href="https://shop.example/sale" data-msys-linkname="Sale">Sale</a>\r\n'
        "</body></html>\r\n").encode()


# ---- reading the spool as the shipper would ---------------------------------------------

def segments(spool: Path) -> list[Path]:
    """The segment files, oldest first; every file in the directory must be one (or a checkpoint)."""
    names = sorted(p.name for p in spool.iterdir()) if spool.exists() else []
    strays = [n for n in names if not SEGMENT_RE.match(n)]
    assert not strays, f"files in the spool that are not segments: {strays}"
    return [spool / n for n in names]


def spool_lines(spool: Path) -> list[bytes]:
    """Every line of every segment. Asserts each segment ends in a newline: no torn line."""
    out = []
    for seg in segments(spool):
        data = seg.read_bytes()
        assert data == b"" or data.endswith(b"\n"), f"{seg.name} ends inside a line: {data[-80:]!r}"
        out += data.splitlines()
    return out


def spool_events(spool: Path) -> list[dict]:
    return [json.loads(line) for line in spool_lines(spool)]


def is_closed(path: Path) -> bool:
    """What readers check: a non-blocking shared flock succeeds."""
    with open(path, "rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(f, fcntl.LOCK_UN)
        return True


def decode(tracking_bin, config, urls: list[str]) -> list[dict]:
    out = subprocess.run([str(tracking_bin), "decode", "--config", str(config), "-"], input="\n".join(urls).encode(),
                         capture_output=True, timeout=120, check=True).stdout.decode()
    return [json.loads(line) for line in out.splitlines()]


def tracked_links(delivered: bytes) -> tuple[list[str], list[str]]:
    """The click URLs and open pixels of a delivered HTML message."""
    _, original = split_postfix_received(delivered)
    parsed = email.message_from_bytes(original, policy=email.policy.default)
    tree = html5lib.parse(parsed.get_body(("html",)).get_content(), namespaceHTMLElements=False)
    hrefs = [a.get("href") for a in tree.iter("a") if "/f/" in (a.get("href") or "")]
    pixels = [img.get("src") for img in tree.iter("img") if img.get("width") == "1"]
    return hrefs, pixels


# ---- 1. injections through Postfix ------------------------------------------------------

@pytest.mark.usefixtures("needs_postfix")
def test_injection_per_recipient_with_the_delivered_message_id(e2e, tracking_bin):
    spool = Path(e2e.path("spool"))
    metrics_port = free_port()
    milter = start_tracking(e2e, tracking_bin, "unix", {
        "milter": {"metrics_listen": f"{LOOPBACK}:{metrics_port}"},
        "events": {"spool": {"dir": str(spool)}},
    })
    pf = e2e.postfix(milter=milter.socket)
    recipients = ["one@example.com", "two@example.com"]
    mid = unique_message_id("inj")
    message = build_message([
        ("From", "Shop <news@shop.example>"), ("To", "<one@example.com>, <two@example.com>"),
        ("Subject", "=?UTF-8?B?w5xiZXIgdW5zZXJlbiBTYWxl?="), ("Message-ID", mid), ("MIME-Version", "1.0"),
        ("X-MSYS-API", API), ("Content-Type", "text/html; charset=utf-8"),
    ], HTML)
    result = pf.send("bounce@shop.example", recipients, message)
    assert result.ok, result
    delivered = pf.wait_deliveries(1)[0].data
    hrefs, pixels = tracked_links(delivered)
    assert hrefs and pixels, delivered[-2000:]
    carried = {d["message_id"] for d in decode(tracking_bin, milter.config_path, hrefs + pixels)}
    assert len(carried) == 1

    wait_until(lambda: len(spool_lines(spool)) >= 2, timeout=10, what="two injection lines in the spool")
    events = spool_events(spool)
    assert len(events) == 2, events
    assert sorted(e["rcpt_to"] for e in events) == recipients
    for e in events:
        assert list(e) == INJECTION_FIELDS, list(e)
        assert e["type"] == "injection"
        assert e["message_id"] in carried
        assert EVENT_ID_RE.match(e["event_id"])
        assert e["campaign_id"] == "spool-campaign"
        assert e["rcpt_meta"] == {"user": "u-42"} and e["rcpt_tags"] == ["weekly"]
        assert e["subject"] == "Über unseren Sale"
        assert e["friendly_from"] == "news@shop.example"
        assert e["msg_from"] == "bounce@shop.example"
        assert e["transactional"] == "0"
        assert e["queue_id"] == result.queue_id
        assert int(e["msg_size"]) >= len(HTML)
    assert len({e["event_id"] for e in events}) == 2
    # The milter holds its segment; nothing else is in the directory.
    (segment,) = segments(spool)
    assert "-milter-" in segment.name and not is_closed(segment)
    metrics = get_text(f"http://{LOOPBACK}:{metrics_port}/metrics")
    assert metric(metrics, "tracking_milter_events_spool_appended_total") == 2
    assert metric(metrics, "tracking_milter_events_spool_bytes") == segment.stat().st_size
    assert metric(metrics, 'tracking_milter_events_spool_dropped_events_total{reason="full"}') == 0


# ---- 2. clicks and opens from the real tracker -------------------------------------------

@pytest.mark.usefixtures("needs_postfix")
def test_click_and_open_reach_the_spool_with_the_events_file_ids(e2e, tracking_bin):
    port = free_port()
    spool = Path(e2e.path("spool"))
    events_file = Path(e2e.path("events.jsonl"))
    milter = start_tracking(e2e, tracking_bin, "unix", {
        "tracking": {"tracking_domain": f"{LOOPBACK}:{port}"},
        "tracker": {"listen": f"{LOOPBACK}:{port}", "events_file": str(events_file)},
        "events": {"spool": {"dir": str(spool)}},
    })
    with running_tracker(tracking_bin, milter.config_path, port, Path(e2e.path("tracker.log"))):
        pf = e2e.postfix(milter=milter.socket)
        message = build_message([
            ("From", "Shop <news@shop.example>"), ("To", "<reader@example.com>"), ("Subject", "loop"),
            ("Message-ID", unique_message_id("spool")), ("MIME-Version", "1.0"), ("X-MSYS-API", API),
            ("Content-Type", "text/html; charset=utf-8"),
        ], HTML)
        assert pf.send("news@shop.example", ["reader@example.com"], message).ok
        hrefs, pixels = tracked_links(pf.wait_deliveries(1)[0].data)
        assert len(hrefs) == 1 and len(pixels) == 2
        assert get(hrefs[0], {"User-Agent": "SpoolTest/1.0"}).status == 302
        for src in pixels:
            assert get(src, {"User-Agent": "SpoolTest/1.0"}).status == 200

        # The tracker appends before it answers: the lines are there already.
        events = spool_events(spool)
        by_type = sorted(e["type"] for e in events)
        assert by_type == ["click", "initial_open", "injection", "open"], events
        (injection,) = [e for e in events if e["type"] == "injection"]
        tracker_events = [e for e in events if e["type"] != "injection"]
        for e in tracker_events:
            assert EVENT_ID_RE.match(e["event_id"])
            assert e["message_id"] == injection["message_id"]
            assert e["rcpt_to"] == "reader@example.com" or e["rcpt_to"] is None
            assert e["campaign_id"] == "spool-campaign" and e["user_agent"] == "SpoolTest/1.0"
        (click,) = [e for e in tracker_events if e["type"] == "click"]
        assert click["target_link_url"] == "https://shop.example/sale" and click["target_link_name"] == "Sale"
        # The same events, with the same ids, in the events file.
        file_events = [json.loads(line) for line in events_file.read_text().splitlines()]
        assert file_events == tracker_events
        assert len({e["event_id"] for e in events}) == 4
        # One segment per producer, each still held by its writer.
        held = segments(spool)
        assert sorted(SEGMENT_RE.match(p.name).group(1) for p in held) == ["milter", "tracker"]
        assert not any(is_closed(p) for p in held)
    # The tracker stopped (SIGTERM): its segment is closed; the milter still holds its own.
    closed = {SEGMENT_RE.match(p.name).group(1): is_closed(p) for p in segments(spool)}
    assert closed == {"milter": False, "tracker": True}


# ---- 3. a file-size limit on the tracker's segments ----------------------------------------

CLICKS = 40
LIMIT = 6000   # bytes: a handful of event lines per segment


@pytest.mark.skipif(not shutil.which("prlimit"), reason="prlimit (util-linux) is not installed")
def test_spool_survives_a_file_size_limit(e2e, tracking_bin):
    """Past RLIMIT_FSIZE a segment write fails part-way (EFBIG): the part is cut back and the
    line goes whole into a new segment. Every click is spooled, once, in order; every
    segment is within the limit and ends in a newline; the failures are in /metrics."""
    port = free_port()
    spool = Path(e2e.path("spool"))
    config = write_yaml(e2e.path("tracker.yaml"), {
        "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
        "log": {"format": "json", "level": "info"},
        "keys": {"file": str(make_key_file(e2e, tracking_bin))},
        "tracking": {"click_tracking_enabled": True, "tracking_domain": f"{LOOPBACK}:{port}"},
        "tracker": {"listen": f"{LOOPBACK}:{port}", "events_file": "-"},
        "events": {"spool": {"dir": str(spool)}},
    })
    urls = tracked_urls(tracking_bin, config, CLICKS)
    log = Path(e2e.path("tracker.log"))
    with running_tracker(tracking_bin, config, port, log, wrapper=["prlimit", f"--fsize={LIMIT}:unlimited", "--"]):
        for url in urls:
            assert get(url, {"User-Agent": "LimitTest/1.0"}).status == 302
        files = segments(spool)
        assert len(files) > 1
        assert all(p.stat().st_size <= LIMIT for p in files), [p.stat().st_size for p in files]
        got = spool_events(spool)
        assert [e["target_link_url"] for e in got] == [f"https://shop.example/item/{n}" for n in range(CLICKS)]
        assert len({e["event_id"] for e in got}) == CLICKS
        metrics = get_text(f"http://{LOOPBACK}:{port}/metrics")
        assert metric(metrics, "tracker_events_spool_write_failures_total") > 0
        assert metric(metrics, "tracker_events_spool_appended_total") == CLICKS
        assert metric(metrics, "tracker_events_spool_pending_events") == 0
        assert any("cannot write to the event spool" in line for line in log.read_text().splitlines())
        # Segments the tracker moved on from are closed; only the last one is held.
        assert [is_closed(p) for p in files] == [True] * (len(files) - 1) + [False]


# ---- 4. the milter SIGKILLed under load --------------------------------------------------

TRACKING_DOMAIN = "track.example.test"
CLICK_RE = re.compile(r'href="(http://' + re.escape(TRACKING_DOMAIN) + r'/f/[^"]+)"')
MID_RE = re.compile(rb"^Message-ID: (<[^>\r\n]+>)\r?$", re.M | re.I)


@pytest.mark.slow
@pytest.mark.usefixtures("needs_postfix")
def test_sigkill_under_load_leaves_whole_lines_covering_every_delivery(e2e, tracking_bin):
    """Messages flow A -> B; the milter behind B (with a spool) is SIGKILLed a few times.
    Afterwards every spooled line parses, every segment of a killed milter is closed, and
    every delivered message's id has exactly one injection. Injections of messages whose
    delivery the kill cut off (retried by A under a new id) may be extra, never missing; and
    `ship --once` then delivers every spooled injection to a webhook."""
    n = int(os.environ.get("E2E_SPOOL_KILL_MESSAGES") or 300)
    kills_wanted = 4
    rng = random.Random(int(os.environ.get("E2E_FAULT_SEED") or 12))
    spool = Path(e2e.path("spool"))
    sup = start_supervised_tracking(e2e, tracking_bin, {
        "tracking": {"tracking_domain": TRACKING_DOMAIN},
        "events": {"spool": {"dir": str(spool), "segment_bytes": 65536}},
    }, rng=rng, max_restarts=kills_wanted + 20)
    a, b = start_relay_pair(e2e, sup.socket, "transport", fast_retry=True)
    api = json.dumps({"campaign_id": "kill", "options": {"open_tracking": True, "click_tracking": True}})
    messages = []
    for i in range(n):
        mid = unique_message_id(f"spoolkill{i}")
        messages.append((mid, build_message([
            ("From", "Sender <sender@example.com>"), ("To", "<rcpt@example.com>"), ("Subject", f"kill {i}"),
            ("Message-ID", mid), ("X-MSYS-API", api), ("MIME-Version", "1.0"),
            ("Content-Type", "text/html; charset=utf-8"),
        ], f'<html><body><a href="https://shop.example/{i}">offer {i}</a></body></html>\r\n'.encode())))
    injected: dict = {}
    injector = threading.Thread(target=lambda: injected.setdefault(
        "result", send_load(a.port, messages, sessions=20, per_session=10, deadline=300)))
    injector.start()
    killed = []
    for threshold in sorted(rng.sample(range(n // 10, n * 8 // 10), kills_wanted)):
        wait_until(lambda: len(list(b.out.glob("*.eml"))) >= threshold and sup.up_for() >= 0.3, 240,
                   interval=0.02, what=f"{threshold} deliveries and a milter up for 0.3 s")
        pid = sup.kill(signal.SIGKILL)
        if pid is not None:
            killed.append(pid)
            sup.wait_exit(pid, timeout=10)
    injector.join(timeout=320)
    assert not injected["result"].timed_out and not injected["result"].unaccepted
    wait_until(lambda: not a.queue_files() and not b.queue_files(), 240, interval=0.25, what="queues to empty")

    files = list(b.out.glob("*.eml"))
    assert len(files) == n
    urls = []
    for path in files:
        found = CLICK_RE.search(path.read_bytes().decode("utf-8", "replace"))
        assert found, f"{path.name} has no tracked link"
        urls.append(found.group(1))
    delivered_ids = [d["message_id"] for d in decode(tracking_bin, sup.config_path, urls)]

    events = spool_events(spool)          # asserts no segment ends inside a line
    injections = [e for e in events if e["type"] == "injection"]
    ids = [e["message_id"] for e in injections]
    assert len(set(ids)) == len(ids), "an injection was spooled twice"
    missing = set(delivered_ids) - set(ids)
    assert not missing, f"{len(missing)} delivered messages have no injection"
    assert len(ids) - len(delivered_ids) <= 20 * len(killed), (len(ids), len(delivered_ids))
    assert len({e["event_id"] for e in events}) == len(events)
    # Every killed milter's segments are closed; the running one holds exactly one.
    live = sup.pid
    by_pid: dict[int, list[Path]] = {}
    for p in segments(spool):
        by_pid.setdefault(int(p.name.split("-")[3]), []).append(p)
    # (A milter killed before it finished a message never started a segment.)
    assert set(killed) & set(by_pid), (killed, sorted(by_pid))
    for pid, paths in by_pid.items():
        if pid != live:
            assert all(is_closed(p) for p in paths), pid
    assert [is_closed(p) for p in by_pid.get(live, [])].count(False) == 1

    # After the kills, the spooled injections are shipped: `ship --once` (the milter still
    # running and holding its open segment) delivers every one of them to a webhook.
    from test_ship_webhook import Receiver
    receiver = Receiver(e2e, free_port())
    receiver.start()
    try:
        ship = write_yaml(e2e.path("ship.yaml"), {
            "milter": {"socket": f"unix:{e2e.path('unused.sock')}"}, "log": {"format": "json", "level": "info"},
            "events": {"spool": {"dir": str(spool)},
                       "webhooks": [{"name": "main", "url": f"http://{LOOPBACK}:{receiver.port}/hook"}]}})
        run = subprocess.run([str(tracking_bin), "ship", "--config", str(ship), "--once"],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        assert receiver.delivered_ids() >= {e["event_id"] for e in injections}
    finally:
        receiver.kill()

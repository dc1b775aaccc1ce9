"""`tracking-milter ship` against a real webhook receiver (harness/webhook_receiver.py, its
own process on 127.0.0.1) while 10,000 events are written to the spool by two producers
(two tracker processes, the real producers, answering 10,000 tracked clicks; their events
files give each producer's order). During the run the receiver
answers 500 for a while, hangs past the shipper's timeout for a while, and is killed and
started again; the shipper itself is killed with SIGKILL and started again. Afterwards every
event_id arrived, none is missing, each producer's events arrived in spool order, a batch id
always stands for the same events, signatures and basic auth were right on every request.
Small backoffs (1-2 s) and a 1 s timeout keep the run well under two minutes.

The smaller tests (dead letter, --once, the tracker's in-process shipper) write their spool
with harness/spoolwriter.py, which follows the spool format of docs/events.md, so that they
control segment boundaries and open (locked) segments exactly.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from harness.net import LOOPBACK, free_port, tcp_accepts, wait_until
from harness.programs import make_key_file
from harness.trackerprocess import running_tracker
from harness.spoolwriter import SegmentWriter, make_event
from harness.trackingconfig import write_yaml
from test_tracker_events_file import get_text, metric, tracked_urls

RECEIVER = Path(__file__).parent / "harness" / "webhook_receiver.py"
SECRET = "s3cret-signing-key"
EVENTS = 10_000


class Receiver:
    """The receiver process; ``restart()`` kills it (SIGKILL) and starts it on the same port."""

    def __init__(self, e2e, port: int, **options):
        self.port = port
        self.record = Path(e2e.path("received.jsonl"))
        self.control = Path(e2e.path("receiver-mode"))
        self.log = e2e.path("receiver.log")
        self.options = options
        self.proc = None

    def start(self) -> None:
        argv = [sys.executable, str(RECEIVER), "--port", str(self.port), "--record", str(self.record),
                "--control", str(self.control)]
        for k, v in self.options.items():
            argv += [f"--{k.replace('_', '-')}", str(v)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(self.log, "ab"))
        wait_until(lambda: tcp_accepts(self.port), timeout=10, what="the webhook receiver to listen")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def mode(self, word: str) -> None:
        self.control.write_text(word)

    def records(self) -> list[dict]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines() if line.strip()]

    def delivered_ids(self) -> set[str]:
        return {i for r in self.records() if r["status"] == 200 for i in r.get("event_ids", [])}


class Shipper:
    def __init__(self, binary: Path, config: Path, log: Path):
        self.argv = [str(binary), "ship", "--config", str(config)]
        self.log = log
        self.proc = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=open(self.log, "ab"))

    def stop(self, sig=signal.SIGTERM, timeout=20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)


def spool_and_receiver(e2e, port: int, mode: str = "ok", **options) -> tuple[Path, "Receiver"]:
    """An empty spool directory and a running receiver, stopped with the test."""
    spool = Path(e2e.path("spool"))
    spool.mkdir()
    receiver = Receiver(e2e, port, **options)
    receiver.mode(mode)
    receiver.start()
    e2e.items.append(_Stopper(None, receiver))
    return spool, receiver


def ship_config(e2e, port: int, spool: Path, **webhook) -> Path:
    hook = {"name": "main", "url": f"http://{LOOPBACK}:{port}/hook", "timeout": 1,
            "batch_max_events": 200, "batch_max_seconds": 1, "backoff_initial_seconds": 1,
            "backoff_max_seconds": 2}
    hook.update(webhook)
    return write_yaml(e2e.path("ship.yaml"), {
        "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
        "log": {"format": "json", "level": "info"},
        "events": {"spool": {"dir": str(spool)}, "webhooks": [hook]},
    })


def tracker_config(e2e, name: str, port: int, spool: Path, key_file: Path) -> Path:
    """A tracker that spools its events (the real producer) and ships nothing itself."""
    return write_yaml(e2e.path(f"{name}.yaml"), {
        "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
        "log": {"format": "json", "level": "info"},
        "keys": {"file": str(key_file)},
        "tracking": {"click_tracking_enabled": True, "tracking_domain": f"{LOOPBACK}:{port}"},
        "tracker": {"listen": f"{LOOPBACK}:{port}", "events_file": str(e2e.path(f"{name}-events.jsonl")),
                    "click_rate_limit": 0},
        "events": {"spool": {"dir": str(spool), "segment_bytes": 65536}},
    })


def click(port: int, paths: list[str], total: int, seconds: float) -> None:
    """``total`` clicks spread over about ``seconds`` on one keep-alive connection."""
    import http.client
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    started = time.monotonic()
    for n in range(total):
        conn.request("GET", paths[n % len(paths)], headers={"User-Agent": "ShipTest/1.0"})
        response = conn.getresponse()
        response.read()
        assert response.status == 302, response.status
        if n % 50 == 49:
            time.sleep(max(0.0, started + seconds * (n + 1) / total - time.monotonic()))
    conn.close()


def spooled_order(events_file: Path) -> list[str]:
    """A tracker's event ids in the order it appended them (its events file gets the same
    lines as the spool, in the same order)."""
    return [json.loads(line)["event_id"] for line in events_file.read_text().splitlines()]


def first_arrivals(records: list[dict]) -> list[str]:
    """Event ids in the order they were first accepted, duplicates dropped."""
    seen: set[str] = set()
    out = []
    for r in records:
        if r["status"] != 200:
            continue
        for i in r["event_ids"]:
            if i not in seen:
                seen.add(i)
                out.append(i)
    return out


def test_ten_thousand_events_survive_a_failing_receiver_and_a_killed_shipper(e2e, tracking_bin):
    port = free_port()
    spool, receiver = spool_and_receiver(e2e, port, secret=SECRET, username="hook", password="pw", hang_seconds=3)
    key_file = make_key_file(e2e, tracking_bin)
    ports = [free_port(), free_port()]
    configs = [tracker_config(e2e, f"tracker{i}", p, spool, key_file) for i, p in enumerate(ports)]
    paths = [[u.split(str(p), 1)[1] for u in tracked_urls(tracking_bin, c, 50)] for c, p in zip(configs, ports)]
    config = ship_config(e2e, port, spool, auth="basic", username="hook", password="pw", signing_secret=SECRET)
    shipper = Shipper(tracking_bin, config, Path(e2e.path("ship.log")))
    e2e.items.append(_Stopper(shipper, receiver))

    with contextlib.ExitStack() as trackers:
        for c, p, i in zip(configs, ports, range(2)):
            trackers.enter_context(running_tracker(tracking_bin, c, p, e2e.path(f"tracker{i}.log")))
        shipper.start()
        clickers = [threading.Thread(target=click, args=(p, ps, EVENTS // 2, 15)) for p, ps in zip(ports, paths)]
        for t in clickers:
            t.start()
        started = time.monotonic()

        def at(t: float) -> None:
            time.sleep(max(0.0, started + t - time.monotonic()))

        at(2); receiver.mode("fail")
        at(3.5); shipper.stop(signal.SIGKILL)     # while a batch is failing
        restarted = time.time()
        at(4); shipper.start()
        at(6); receiver.mode("hang")
        at(9); receiver.mode("ok")
        at(11); receiver.kill()
        at(13); receiver.start()
        at(14); shipper.stop(signal.SIGKILL)      # while events flow
        at(14.5); shipper.start()
        for t in clickers:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in clickers)
    # The trackers stopped (SIGTERM): their last segments are closed.
    produced = {f"tracker{i}": spooled_order(Path(e2e.path(f"tracker{i}-events.jsonl"))) for i in range(2)}
    assert all(len(ids) == EVENTS // 2 for ids in produced.values())
    all_ids = set(produced["tracker0"]) | set(produced["tracker1"])
    assert len(all_ids) == EVENTS

    wait_until(lambda: all_ids <= receiver.delivered_ids(), timeout=60, interval=0.5,
               what="every event at the receiver",
               abort=lambda: "" if shipper.proc.poll() is None else f"ship exited with {shipper.proc.returncode}")
    # Every segment was closed (the trackers stopped) and delivered: the shipper deletes them all.
    wait_until(lambda: not list(spool.glob("seg-*.jsonl")), timeout=10, what="shipped segments deleted")
    assert shipper.stop() == 0

    records = receiver.records()
    modes = {r["mode"] for r in records}
    assert {"fail", "hang", "ok"} <= modes, f"the receiver did not see every phase: {modes}"
    assert all("parse_error" not in r for r in records)
    assert all(r["content_type"] == "application/json" for r in records)
    assert all(r["signature_ok"] for r in records), "a request's X-Tracking-Signature did not verify"
    assert all(r["auth_ok"] for r in records), "a request's basic auth was wrong"

    # None missing, nothing extra; duplicates only from retries.
    delivered = [i for r in records if r["status"] == 200 for i in r["event_ids"]]
    assert set(delivered) == all_ids

    # Order per producer (per spool segment sequence) kept at the endpoint.
    arrivals = first_arrivals(records)
    for producer, ids in produced.items():
        got = [i for i in arrivals if i in set(ids)]
        assert got == ids, f"{producer}'s events arrived out of order"

    # A batch id always names the same events; a retried batch keeps its id.
    by_id: dict[str, list[str]] = {}
    for r in records:
        assert by_id.setdefault(r["batch_id"], r["event_ids"]) == r["event_ids"], f"batch {r['batch_id']} changed"
    by_first: dict[str, set[str]] = {}
    for r in records:
        by_first.setdefault(r["event_ids"][0], set()).add(r["batch_id"])
    retried = [ids for ids in by_id.values() if sum(1 for r in records if r["event_ids"] == ids) > 1]
    assert retried, "no batch was retried: the failure phases did not bite"
    assert all(len(b) == 1 for b in by_first.values()), "a batch was re-sent under a new id"
    # The batch that was failing when ship was killed went again, same id, from the new process.
    across = [b for b in by_id if any(r["batch_id"] == b and r["t"] < restarted for r in records)
              and any(r["batch_id"] == b and r["t"] > restarted for r in records)]
    assert across, "no batch was re-sent after the SIGKILL restart"

    assert (spool / "ship-webhook-main.checkpoint").exists()


def test_a_batch_out_of_retries_goes_to_the_dead_letter_file_and_shipping_moves_on(e2e, tracking_bin):
    port = free_port()
    spool, receiver = spool_and_receiver(e2e, port, mode="fail")
    dead = Path(e2e.path("dead.jsonl"))
    config = ship_config(e2e, port, spool, max_retry_seconds=2, dead_letter=str(dead), batch_max_events=10)
    first = SegmentWriter(spool, "tracker", 5, pid=7)
    lost = [make_event(n, "tracker") for n in range(5)]
    for e in lost:
        first.write(e)          # fills and closes the first segment
    shipper = Shipper(tracking_bin, config, Path(e2e.path("ship.log")))
    shipper.start()
    e2e.items.append(_Stopper(shipper, receiver))
    wait_until(dead.exists, timeout=20, what="the dead-letter file")
    receiver.mode("ok")
    later = [make_event(n, "tracker") for n in range(5, 8)]
    for e in later:
        first.write(e)
    first.close()
    wait_until(lambda: {e["event_id"] for e in later} <= receiver.delivered_ids(), timeout=20,
               what="the events after the dead-lettered batch")
    assert shipper.stop() == 0
    lines = [json.loads(line) for line in dead.read_text().splitlines()]
    assert [l["event"]["event_id"] for l in lines] == [e["event_id"] for e in lost]
    assert all(l["sink"] == "webhook-main" and l["batch_id"] and "500" in l["error"] for l in lines)
    assert not {e["event_id"] for e in lost} & receiver.delivered_ids()
    log = Path(e2e.path("ship.log")).read_text()
    assert "dead-letter" in log


def test_once_ships_what_is_spooled_and_exits(e2e, tracking_bin):
    port = free_port()
    spool, receiver = spool_and_receiver(e2e, port)
    w = SegmentWriter(spool, "milter", 1000, pid=9)
    events = [make_event(n, "milter") for n in range(250)]
    for e in events:
        w.write(e)            # the segment stays open (locked): --once still ships it
    config = ship_config(e2e, port, spool, batch_max_seconds=60)
    run = subprocess.run([str(tracking_bin), "ship", "--config", str(config), "--once"], capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr.decode()
    assert receiver.delivered_ids() == {e["event_id"] for e in events}
    # Nothing new: a second run sends nothing.
    before = len(receiver.records())
    run = subprocess.run([str(tracking_bin), "ship", "--config", str(config), "--once"], capture_output=True, timeout=60)
    assert run.returncode == 0 and len(receiver.records()) == before
    # A failing endpoint: exit 75, the events stay for the next run.
    w.write(make_event(999, "milter"))
    receiver.mode("fail")
    run = subprocess.run([str(tracking_bin), "ship", "--config", str(config), "--once"], capture_output=True, timeout=60)
    assert run.returncode == 75, run.stderr.decode()
    receiver.mode("ok")
    run = subprocess.run([str(tracking_bin), "ship", "--config", str(config), "--once"], capture_output=True, timeout=60)
    assert run.returncode == 0 and len(receiver.delivered_ids()) == 251
    w.close()


def test_ship_refuses_a_bad_config_and_says_when_there_is_nothing_to_ship(e2e, tracking_bin):
    spool = Path(e2e.path("spool"))
    spool.mkdir()
    bad = e2e.path("bad.yaml")
    Path(bad).write_text(f"events:\n  spool:\n    dir: {spool}\n  webhooks:\n    - url: http://127.0.0.1:1/\n      batch_max_event: 5\n")
    run = subprocess.run([str(tracking_bin), "ship", "--config", str(bad)], capture_output=True, timeout=30)
    assert run.returncode == 78
    assert f"{bad}:6:" in run.stderr.decode() and "batch_max_events" in run.stderr.decode()
    none = e2e.path("none.yaml")
    Path(none).write_text(f"events:\n  spool:\n    dir: {spool}\n")
    run = subprocess.run([str(tracking_bin), "ship", "--config", str(none)], capture_output=True, timeout=30)
    assert run.returncode == 78
    assert "no sinks are configured" in run.stderr.decode()
    # A spool directory that is not there yet is made, as the producers make it.
    missing = e2e.path("missing.yaml")
    Path(missing).write_text(f"events:\n  spool:\n    dir: {spool}/new/spool\n  webhooks:\n    - url: http://127.0.0.1:1/\n")
    run = subprocess.run([str(tracking_bin), "ship", "--config", str(missing), "--once"], capture_output=True, timeout=30)
    assert run.returncode == 0 and (spool / "new" / "spool").is_dir(), run.stderr.decode()
    blocked = e2e.path("blocked.yaml")
    (spool / "file").write_text("")
    Path(blocked).write_text(f"events:\n  spool:\n    dir: {spool}/file/spool\n  webhooks:\n    - url: http://127.0.0.1:1/\n")
    run = subprocess.run([str(tracking_bin), "ship", "--config", str(blocked), "--once"], capture_output=True, timeout=30)
    assert run.returncode == 73 and "cannot be made" in run.stderr.decode()


class _Stopper:
    """Registered with the test's Resources so the processes stop whatever happened."""

    def __init__(self, shipper, receiver):
        self.shipper = shipper
        self.receiver = receiver

    def stop(self) -> None:
        if self.shipper and self.shipper.proc and self.shipper.proc.poll() is None:
            self.shipper.proc.kill()
            self.shipper.proc.wait(timeout=10)
        self.receiver.kill()

    def diagnostics(self, tail: int = 4000) -> str:
        """The shipper's and the receiver's logs, for a failure report."""
        parts = []
        if self.shipper:
            parts.append(f"--- ship log tail:\n{Path(self.shipper.log).read_text(errors='replace')[-tail:]}")
        parts.append(f"--- receiver log tail:\n{Path(self.receiver.log).read_text(errors='replace')[-tail:]}")
        return "\n".join(parts)


def test_the_tracker_ships_in_process_and_reports_on_its_metrics(e2e, tracking_bin):
    """A one-host set-up: with events.spool and a webhook configured, `tracker` ships the
    spool itself (no `ship` process) and its /metrics carries the shipper's metrics."""
    hook_port, port = free_port(), free_port()
    spool, receiver = spool_and_receiver(e2e, hook_port)
    closed = SegmentWriter(spool, "milter", 300, pid=11)
    events = [make_event(n, "milter") for n in range(300)]
    for e in events:
        closed.write(e)
    config = write_yaml(e2e.path("tracker.yaml"), {
        "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
        "log": {"format": "json", "level": "info"},
        "keys": {"file": str(make_key_file(e2e, tracking_bin))},
        "tracking": {"tracking_domain": f"{LOOPBACK}:{port}"},
        "tracker": {"listen": f"{LOOPBACK}:{port}", "events_file": str(e2e.path("events.jsonl"))},
        "events": {"spool": {"dir": str(spool)}, "webhooks": [
            {"name": "main", "url": f"http://{LOOPBACK}:{hook_port}/", "batch_max_seconds": 0}]},
    })
    log = Path(e2e.path("tracker.log"))
    with running_tracker(tracking_bin, config, port, log) as tracker:
        wait_until(lambda: receiver.delivered_ids() == {e["event_id"] for e in events}, timeout=20,
                   what="the spooled events at the webhook")
        wait_until(lambda: not list(spool.glob("seg-*.jsonl")), timeout=10, what="the shipped segment deleted")
        text = get_text(f"http://{LOOPBACK}:{port}/metrics")
        assert metric(text, 'ship_events_delivered_total{sink="webhook-main"}') == 300
        assert metric(text, 'ship_batches_sent_total{sink="webhook-main"}') >= 1
        assert metric(text, 'ship_queue_bytes{sink="webhook-main"}') == 0
    assert tracker.returncode == 0
    assert "shipping events in-process" in log.read_text()


def test_ship_reloads_on_sighup_and_serves_metrics(e2e, tracking_bin):
    """SIGHUP re-reads the configuration (a broken one is refused and the running one
    stays); events.metrics_listen serves the shipper's metrics."""
    first_port, second_port, metrics_port = free_port(), free_port(), free_port()
    spool, first = spool_and_receiver(e2e, first_port)
    second = Receiver(e2e, second_port)
    second.record = Path(e2e.path("received-second.jsonl"))
    second.start()
    e2e.items.append(_Stopper(None, second))
    config = ship_config(e2e, first_port, spool, batch_max_seconds=0)
    text = config.read_text()
    # events.metrics_listen, added to the generated YAML's events section
    config.write_text(text.replace("events:\n", f"events:\n  metrics_listen: \"{LOOPBACK}:{metrics_port}\"\n", 1))
    shipper = Shipper(tracking_bin, config, Path(e2e.path("ship.log")))
    shipper.start()
    e2e.items.append(_Stopper(shipper, first))
    writer = SegmentWriter(spool, "tracker", 10_000, pid=5)
    early = [make_event(n, "tracker") for n in range(20)]
    for e in early:
        writer.write(e)
    wait_until(lambda: {e["event_id"] for e in early} <= first.delivered_ids(), timeout=15, what="events at the first URL")
    metrics = get_text(f"http://{LOOPBACK}:{metrics_port}/metrics")
    assert metric(metrics, 'ship_events_delivered_total{sink="webhook-main"}') == 20

    config.write_text("events: [broken\n")
    shipper.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "reload refused" in Path(e2e.path("ship.log")).read_text(), timeout=10, what="the refusal")
    assert shipper.proc.poll() is None

    config.write_text(text.replace(f":{first_port}/", f":{second_port}/"))
    shipper.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: '"msg":"reloaded"' in Path(e2e.path("ship.log")).read_text(), timeout=10, what="the reload")
    late = [make_event(n, "tracker") for n in range(20, 40)]
    for e in late:
        writer.write(e)
    wait_until(lambda: {e["event_id"] for e in late} <= second.delivered_ids(), timeout=15, what="events at the new URL")
    assert not {e["event_id"] for e in late} & first.delivered_ids()
    assert not {e["event_id"] for e in early} & second.delivered_ids(), "the reload re-sent delivered events"
    writer.close()
    assert shipper.stop() == 0

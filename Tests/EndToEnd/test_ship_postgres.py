"""`tracking-milter ship` into a real PostgreSQL (scripts/start-postgres; its URL in
TRACKING_TEST_POSTGRES_URL), each test in a database of its own.

- 10,000 events spooled by two producers while the server is stopped
  (`pg_ctlcluster 15 main stop -m fast`) and started again, and the shipper is killed
  (SIGKILL) while the database is down: afterwards exactly 10,000 rows, every event_id,
  none twice.
- Scale-out: two tracker processes sharing one key file, clicks spread over both as a load
  balancer would, each shipping in-process from its own spool into the same database (both
  create the schema at once): one row per click, none twice, and `report` counts them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from harness.net import LOOPBACK, free_port, wait_until
from harness.programs import make_key_file
from harness.spoolwriter import SegmentWriter, make_event
from harness.trackerprocess import running_tracker
from harness.trackingconfig import write_yaml
from test_ship_webhook import Shipper
from test_tracker_events_file import tracked_urls

BASE_URL = os.environ.get("TRACKING_TEST_POSTGRES_URL")
CLUSTER = ["15", "main"]
EVENTS = 10_000

pytestmark = pytest.mark.skipif(
    not BASE_URL, reason="TRACKING_TEST_POSTGRES_URL is not set: run scripts/start-postgres and export its output")


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True,
                          timeout=60, check=True).stdout.strip()


@pytest.fixture
def database():
    """A fresh database; its URL. Dropped afterwards (the server started again if a test left it down)."""
    name = "tracking_e2e_" + uuid.uuid4().hex[:8]
    psql(BASE_URL, f"CREATE DATABASE {name}")
    parts = urlsplit(BASE_URL)
    url = urlunsplit(parts._replace(path="/" + name))
    yield url
    cluster("start")
    wait_until(lambda: subprocess.run(["pg_isready", "-q", "-h", LOOPBACK, "-p", str(parts.port or 5432)]).returncode == 0,
               timeout=30, what="PostgreSQL to accept connections again")
    psql(BASE_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def cluster(action: str) -> None:
    """pg_ctlcluster start|stop (stop: fast, connections cut); starting a running one is fine."""
    argv = ["pg_ctlcluster", *CLUSTER, action] + (["-m", "fast"] if action == "stop" else [])
    run = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    said = run.stdout + run.stderr
    assert run.returncode == 0 or "already running" in said or "is not running" in said, said


def event_ids(url: str) -> list[str]:
    text = psql(url, "SELECT event_id FROM tracking_events")
    return text.splitlines() if text else []


def row_count(url: str) -> int:
    try:
        return int(psql(url, "SELECT count(*) FROM tracking_events"))
    except subprocess.CalledProcessError:
        return -1   # the server is down, or no table yet


def needs_cluster_control():
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        pytest.skip("stopping PostgreSQL needs root and pg_ctlcluster (Debian's postgresql-common)")


def test_ten_thousand_events_survive_postgres_stopping_and_a_killed_shipper(e2e, tracking_bin, database):
    needs_cluster_control()
    spool = Path(e2e.path("spool"))
    spool.mkdir()
    config = write_yaml(e2e.path("ship.yaml"), {
        "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
        "log": {"format": "json", "level": "info"},
        "events": {"spool": {"dir": str(spool)}, "postgres": {
            "url": database, "connect_timeout": 2, "batch_timeout": 2, "batch_max_events": 500,
            "batch_max_seconds": 1, "backoff_initial_seconds": 1, "backoff_max_seconds": 2}},
    })
    shipper = Shipper(tracking_bin, config, Path(e2e.path("ship.log")))
    e2e.items.append(_Stopper(shipper))
    written: list[str] = []
    lock = threading.Lock()

    def produce(producer: str, pid: int, count: int, seconds: float) -> None:
        writer = SegmentWriter(spool, producer, 700, pid=pid)
        started = time.monotonic()
        for n in range(count):
            event = make_event(pid * 100_000 + n, producer)
            writer.write(event)
            with lock:
                written.append(event["event_id"])
            if n % 100 == 99:
                time.sleep(max(0.0, started + seconds * (n + 1) / count - time.monotonic()))
        writer.close()

    shipper.start()
    producers = [threading.Thread(target=produce, args=("milter", 11, EVENTS // 2, 12)),
                 threading.Thread(target=produce, args=("tracker", 12, EVENTS // 2, 12))]
    for t in producers:
        t.start()
    started = time.monotonic()

    def at(t: float) -> None:
        time.sleep(max(0.0, started + t - time.monotonic()))

    at(3)
    wait_until(lambda: row_count(database) > 0, timeout=20, what="the first rows before the outage")
    cluster("stop")
    down_at = time.monotonic()
    at(6); shipper.stop(signal.SIGKILL)        # while batches fail against a stopped server
    at(6.5); shipper.start()
    at(9); cluster("start")
    up_after = time.monotonic() - down_at
    for t in producers:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in producers)
    assert len(written) == EVENTS

    wait_until(lambda: row_count(database) == EVENTS, timeout=90, interval=0.5,
               what=f"{EVENTS} rows after the server came back",
               abort=lambda: "" if shipper.proc.poll() is None else f"ship exited with {shipper.proc.returncode}")
    assert shipper.stop() == 0
    ids = event_ids(database)
    assert len(ids) == EVENTS and set(ids) == set(written)   # none lost, none extra, none twice
    assert up_after >= 5
    log = Path(e2e.path("ship.log")).read_text()
    failed = [json.loads(line) for line in log.splitlines() if "batch not delivered" in line]
    assert failed, "no batch failed while the server was down"
    assert any(f"PostgreSQL at 127.0.0.1:{urlsplit(database).port or 5432}/" in f.get("error", "") for f in failed), failed[:3]
    assert "batch delivered after retries" in log
    # Every segment was closed and stored: the shipper deleted them all.
    wait_until(lambda: not list(spool.glob("seg-*.jsonl")), timeout=10, what="shipped segments deleted")
    # Each event's columns came from its line.
    sample = json.loads(psql(database, "SELECT payload FROM tracking_events WHERE type = 'click' LIMIT 1"))
    row = psql(database, f"SELECT type, message_id, rcpt_to, campaign_id, target_link_url FROM tracking_events "
                         f"WHERE event_id = '{sample['event_id']}'").split("|")
    assert row == [sample["type"], sample["message_id"], sample["rcpt_to"], sample["campaign_id"], sample["target_link_url"]]


def test_two_trackers_one_key_file_ship_into_one_database_without_duplicates(e2e, tracking_bin, database):
    key_file = make_key_file(e2e, tracking_bin)
    ports = [free_port(), free_port()]
    configs = []
    for i, port in enumerate(ports):
        spool = Path(e2e.path(f"spool{i}"))
        spool.mkdir()
        configs.append(write_yaml(e2e.path(f"tracker{i}.yaml"), {
            "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
            "log": {"format": "json", "level": "info"},
            "keys": {"file": str(key_file)},
            # One public address for both, as behind a load balancer.
            "tracking": {"click_tracking_enabled": True, "tracking_domain": "track.example.test"},
            "tracker": {"listen": f"{LOOPBACK}:{port}", "events_file": str(e2e.path(f"tracker{i}-events.jsonl")),
                        "click_rate_limit": 0},
            "events": {"spool": {"dir": str(spool), "segment_bytes": 65536},
                       "postgres": {"url": database, "batch_max_events": 100, "batch_max_seconds": 1,
                                    "backoff_initial_seconds": 1, "backoff_max_seconds": 2}},
        }))
    paths = [u.split("track.example.test", 1)[1] for u in tracked_urls(tracking_bin, configs[0], 40)]
    clicks = 2000

    with contextlib.ExitStack() as trackers:
        for i, (config, port) in enumerate(zip(configs, ports)):
            trackers.enter_context(running_tracker(tracking_bin, config, port, e2e.path(f"tracker{i}.log")))
        conns = [http.client.HTTPConnection(LOOPBACK, port, timeout=10) for port in ports]
        for n in range(clicks):
            conn = conns[n % 2]            # round robin: every link is clicked on both trackers
            conn.request("GET", paths[n % len(paths)], headers={"User-Agent": "ScaleOut/1.0", "Host": "track.example.test"})
            response = conn.getresponse()
            response.read()
            assert response.status == 302, response.status
        for conn in conns:
            conn.close()
        wait_until(lambda: row_count(database) >= clicks, timeout=60, interval=0.5, what="every click in PostgreSQL")
        time.sleep(2)   # anything shipped twice would land by now
    ids = event_ids(database)
    assert len(ids) == clicks and len(set(ids)) == clicks
    logged = [json.loads(line)["event_id"] for i in range(2)
              for line in Path(e2e.path(f"tracker{i}-events.jsonl")).read_text().splitlines()]
    assert sorted(logged) == sorted(ids)
    assert psql(database, "SELECT count(*) FROM schema_migrations") == "1"
    # Both trackers took part; the report counts what they stored.
    per_tracker = [len(Path(e2e.path(f"tracker{i}-events.jsonl")).read_text().splitlines()) for i in range(2)]
    assert per_tracker == [clicks // 2, clicks // 2]
    report_config = write_yaml(e2e.path("report.yaml"), {
        "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
        "events": {"postgres": {"url": database}},
    })
    out = subprocess.run([str(tracking_bin), "report", "--config", str(report_config), "--json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    counted = json.loads(out.stdout)["campaigns"]
    assert sum(c["clicks"] for c in counted) == clicks
    assert sum(len(c["links"]) for c in counted) >= 1


class _Stopper:
    def __init__(self, shipper):
        self.shipper = shipper

    def stop(self) -> None:
        if self.shipper.proc and self.shipper.proc.poll() is None:
            self.shipper.proc.kill()
            self.shipper.proc.wait(timeout=10)

    def diagnostics(self, tail: int = 40) -> str:
        try:
            lines = Path(self.shipper.log).read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "ship log:\n" + "\n".join(lines[-tail:])

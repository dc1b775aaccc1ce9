"""`tracking-milter report` as a user runs it: from the spool and the tracker's events file
(each event once), as a table and as JSON, with --campaign and --since; and the errors a
user meets (a bad --since, a database that is not there) say what to do.

The PostgreSQL path and its agreement with the file path are tested in
Tests/EventReportTests against a real server.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from harness.trackingconfig import write_yaml


def stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def event(kind: str, when: datetime, message: str, rcpt: str | None, campaign: str | None, **extra) -> dict:
    e = {"type": kind, "event_id": uuid.uuid4().hex, "timestamp": stamp(when), "message_id": message,
         "rcpt_to": rcpt, "customer_id": None, "campaign_id": campaign, "rcpt_meta": {}, "rcpt_tags": []}
    e.update(extra)
    return e


def write_events(e2e) -> Path:
    now = datetime.now(timezone.utc)
    old = now - timedelta(days=10)
    spring = [
        event("injection", old, "a" * 20, "a@example.com", "spring"),
        event("injection", old, "b" * 20, "b@example.com", "spring"),
        event("open", now - timedelta(hours=1), "a" * 20, "a@example.com", "spring", machine=None),
        event("open", now - timedelta(hours=1), "a" * 20, "a@example.com", "spring", machine=None),
        event("open", now - timedelta(hours=2), "b" * 20, "b@example.com", "spring", machine="Apple Mail Privacy Protection"),
        event("click", now - timedelta(hours=1), "a" * 20, "a@example.com", "spring", machine=None,
              target_link_url="https://shop.example/p", target_link_name="pricing"),
        event("list_unsubscribe", now, "b" * 20, "b@example.com", "spring", machine=None),
    ]
    other = [event("injection", old, "c" * 20, "c@example.com", None)]
    spool = Path(e2e.path("spool"))
    spool.mkdir()
    lines = [json.dumps(e) + "\n" for e in spring + other]
    (spool / "seg-0001796000000000-milter-10-000001.jsonl").write_text("".join(lines[:4]))
    # The second segment ends in a line cut by a crash; the events file repeats three events.
    (spool / "seg-0001796000000001-tracker-11-000001.jsonl").write_text("".join(lines[4:]) + '{"event_id":"cut","ty')
    events_file = Path(e2e.path("events.jsonl"))
    events_file.write_text("".join(lines[2:5]))
    return write_yaml(e2e.path("report.yaml"), {
        "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
        "tracker": {"events_file": str(events_file)},
        "events": {"spool": {"dir": str(spool)}},
    })


def report(tracking_bin, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(tracking_bin), "report", *map(str, args)], capture_output=True, text=True, timeout=60)


def test_report_from_files_as_table_and_json(e2e, tracking_bin):
    config = write_events(e2e)
    out = report(tracking_bin, "--config", config)
    assert out.returncode == 0, out.stderr
    rows = {line.split()[0]: line.split() for line in out.stdout.splitlines() if line.startswith(("spring ", "(none) "))}
    # campaign sent opens unique machine clicks unique machine unsubscribes
    assert rows["spring"] == ["spring", "2", "3", "2", "33.3%", "1", "1", "0.0%", "1"], out.stdout
    assert rows["(none)"][1] == "1"
    assert "  pricing " in out.stdout
    assert "3 events were read twice and counted once" in out.stdout

    data = json.loads(report(tracking_bin, "--config", config, "--json", "--campaign", "spring").stdout)
    assert [c["campaign_id"] for c in data["campaigns"]] == ["spring"]
    spring = data["campaigns"][0]
    assert (spring["sent"], spring["opens"], spring["unique_opens"], spring["machine_opens"]) == (2, 3, 2, 1)
    assert spring["links"] == [{"link": "pricing", "clicks": 1, "unique_clicks": 1, "machine_clicks": 0}]
    assert spring["unsubscribes"] == 1
    assert data["duplicate_events"] == 3

    # The last seven days: the sends ten days ago drop out, the opens stay.
    recent = json.loads(report(tracking_bin, "--config", config, "--json", "--since", "7d").stdout)
    spring = next(c for c in recent["campaigns"] if c["campaign_id"] == "spring")
    assert (spring["sent"], spring["opens"]) == (0, 3)
    assert all(c["campaign_id"] is not None for c in recent["campaigns"])


def test_report_errors_say_what_to_do(e2e, tracking_bin):
    config = write_events(e2e)
    bad = report(tracking_bin, "--config", config, "--since", "last week")
    assert bad.returncode == 64
    assert "--since last week" in bad.stderr and "24h" in bad.stderr

    down = write_yaml(e2e.path("down.yaml"), {
        "milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
        "events": {"postgres": {"url": "postgres://tracking@127.0.0.1:9/tracking", "connect_timeout": 2}},
    })
    out = report(tracking_bin, "--config", down)
    assert out.returncode == 69, out
    assert "cannot connect to PostgreSQL at 127.0.0.1:9" in out.stderr
    assert "service is running" in out.stderr

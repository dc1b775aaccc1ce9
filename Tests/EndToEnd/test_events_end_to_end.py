"""Issue #12's end-to-end check, with every real part: a tracked message goes through the
private Postfix and the milter (which spools its injection); the delivered copy's click
URL, open pixel and one-click List-Unsubscribe URL are used on the running tracker (which
spools its events); `tracking-milter report` counts the send, the open, the click and the
unsubscribe from the spool; `tracking-milter ship --once` delivers all four to a webhook
receiver in SparkPost's format and, when the test PostgreSQL is there, into the database,
where the report counts them again the same way.
"""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import os
import re
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from harness.message import build_message, split_postfix_received, unique_message_id
from harness.net import LOOPBACK, free_port
from harness.programs import start_tracking
from harness.trackerprocess import running_tracker
from harness.trackingconfig import write_yaml
from test_ship_webhook import Receiver

CAMPAIGN = "e2e-events-campaign"
POSTGRES_URL = os.environ.get("TRACKING_TEST_POSTGRES_URL")
HTML = (b"<html><body><p>Spring news</p>\r\n"
        b'<a href="https://shop.example/spring?id=7" data-msys-linkname="spring">Spring</a>\r\n'
        b"</body></html>\r\n")


def hit(method: str, url: str, port: int, body: bytes | None = None, headers: dict | None = None):
    """The request goes to the tracker on loopback whatever scheme the URL names (the TLS proxy's job)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    conn.request(method, parts.path, body=body, headers=headers or {"User-Agent": "Mozilla/5.0 (e2e reader)"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def report(binary: Path, config: Path) -> dict:
    run = subprocess.run([str(binary), "report", "--config", str(config), "--campaign", CAMPAIGN, "--json"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    campaigns = json.loads(run.stdout)["campaigns"]
    assert [c["campaign_id"] for c in campaigns] == [CAMPAIGN], run.stdout
    return campaigns[0]


def fresh_database() -> str:
    name = "tracking_e2e_" + uuid.uuid4().hex[:8]
    subprocess.run(["psql", POSTGRES_URL, "-v", "ON_ERROR_STOP=1", "-qAtc", f"CREATE DATABASE {name}"],
                   check=True, capture_output=True, timeout=60)
    return urlunsplit(urlsplit(POSTGRES_URL)._replace(path="/" + name))


@pytest.mark.usefixtures("needs_postfix")
def test_send_open_click_and_unsubscribe_are_reported_and_shipped(e2e, tracking_bin):
    port = free_port()
    spool = Path(e2e.path("spool"))
    milter = start_tracking(e2e, tracking_bin, "unix", {
        "milter": {"recipient_mode": "split"},
        "tracking": {"tracking_domain": f"{LOOPBACK}:{port}", "list_unsubscribe": "one-click"},
        "tracker": {"listen": f"{LOOPBACK}:{port}", "events_file": str(e2e.path("events.jsonl"))},
        "events": {"spool": {"dir": str(spool)}},
    })
    with running_tracker(tracking_bin, milter.config_path, port, Path(e2e.path("tracker.log"))):
        pf = e2e.postfix(milter=milter.socket)
        api = json.dumps({"campaign_id": CAMPAIGN, "metadata": {"plan": "gold"}, "tags": ["spring"],
                          "options": {"open_tracking": True, "click_tracking": True}})
        message = build_message([
            ("From", "Shop <news@shop.example>"), ("To", "<reader@example.com>"), ("Subject", "Spring news"),
            ("Message-ID", unique_message_id("events")), ("MIME-Version", "1.0"), ("X-MSYS-API", api),
            ("Content-Type", "text/html; charset=utf-8")], HTML)
        code, reply = pf.send("news@shop.example", ["reader@example.com"], message)
        assert code == 250, (code, reply)
        delivered = split_postfix_received(pf.wait_deliveries(1)[0].data)[1]
        parsed = email.message_from_bytes(delivered, policy=email.policy.default)
        html = parsed.get_body(("html",)).get_content()
        click = re.search(r'href="([^"]*/f/[^"]+)"', html).group(1)
        pixel = re.search(r'src="([^"]*/q/[^"]+)"', html).group(1)
        unsubscribe = re.fullmatch(r"<([^>]+)>", str(parsed["List-Unsubscribe"]).strip()).group(1)

        assert hit("GET", click, port) == 302
        assert hit("GET", pixel, port) == 200
        assert hit("POST", unsubscribe, port, b"List-Unsubscribe=One-Click",
                    {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Mozilla/5.0 (e2e reader)"}) == 200

    # The report from the spool (no database configured), before shipping takes segments away.
    from_spool = report(tracking_bin, milter.config_path)
    assert from_spool["sent"] == 1
    assert from_spool["opens"] == 1 and from_spool["unique_opens"] == 1
    assert from_spool["clicks"] == 1 and from_spool["unique_clicks"] == 1
    assert from_spool["unsubscribes"] == 1
    assert [link["link"] for link in from_spool["links"]] == ["spring"]

    receiver = Receiver(e2e, free_port(), keep_events=True)
    receiver.start()
    try:
        events = {"spool": {"dir": str(spool)},
                  "webhooks": [{"name": "main", "url": f"http://{LOOPBACK}:{receiver.port}/hook"}]}
        database = fresh_database() if POSTGRES_URL else None
        if database:
            events["postgres"] = {"url": database}
        ship = write_yaml(e2e.path("ship.yaml"), {"milter": {"socket": f"unix:{e2e.path('unused.sock')}"},
                                                 "log": {"format": "json", "level": "info"}, "events": events})
        run = subprocess.run([str(tracking_bin), "ship", "--config", str(ship), "--once"],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        items = [item for record in receiver.records() if record["status"] == 200 for item in record["items"]]
    finally:
        receiver.kill()

    by_type = {}
    for item in items:
        (category, event), = item["msys"].items()
        by_type[event["type"]] = (category, event)
    assert set(by_type) >= {"injection", "click", "list_unsubscribe"}
    assert {"open", "initial_open"} & set(by_type)
    opened = by_type.get("open") or by_type["initial_open"]
    assert by_type["injection"][0] == "message_event"
    assert by_type["click"][0] == "track_event" and opened[0] == "track_event"
    assert by_type["list_unsubscribe"][0] == "unsubscribe_event"
    message_ids = {event["message_id"] for _, event in by_type.values()}
    assert len(message_ids) == 1, "the send joins the open, the click and the unsubscribe"
    for _, event in by_type.values():
        assert event["campaign_id"] == CAMPAIGN and event["rcpt_to"] == "reader@example.com"
        assert event["rcpt_tags"] == ["spring"] and event["rcpt_meta"] == {"plan": "gold"}
        assert re.fullmatch(r"[0-9a-f]{32}", event["event_id"])
    assert by_type["click"][1]["target_link_url"] == "https://shop.example/spring?id=7"
    assert by_type["injection"][1]["subject"] == "Spring news"
    assert len({item_event["event_id"] for item in items for item_event in item["msys"].values()}) == len(items)

    if database:
        report_config = write_yaml(e2e.path("report.yaml"), {
            "milter": {"socket": f"unix:{e2e.path('unused.sock')}"}, "events": {"postgres": {"url": database}}})
        from_database = report(tracking_bin, report_config)
        for key in ("sent", "opens", "unique_opens", "clicks", "unique_clicks", "unsubscribes", "links"):
            assert from_database[key] == from_spool[key], key

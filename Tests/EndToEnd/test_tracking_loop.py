"""The whole loop with real parts: a message with an X-MSYS-API header goes through the
private Postfix with the milter; the tracked links and pixels are taken out of the
delivered copy with Python's email package and html5lib; each is requested from the
running tracker over HTTP; redirects must lead to the original links and every event line
must name the right recipient, campaign, metadata, tags and link name.
"""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import html5lib
import pytest

from harness.message import build_message, split_postfix_received, unique_message_id
from harness.milter import message_record
from harness.net import LOOPBACK, free_port, wait_until
from harness.programs import start_tracking
from harness.trackerprocess import running_tracker
from harness.trackingconfig import write_yaml

RCPT = "reader@example.com"
LINKS = {  # original target -> link name
    "https://shop.example/sale?a=1&b=2": "Sale",
    "http://shop.example/news": "Raw URL",
    "https://shop.example/unsubscribe?u=7": "Unsubscribe",
}
HTML = (
    "<html><body><p>Hello!</p>\r\n"
    '<a href="https://shop.example/sale?a=1&amp;b=2" data-msys-linkname="Sale">Sale</a>\r\n'
    "<a href=http://shop.example/news>news</a>\r\n"
    '<a href="https://shop.example/unsubscribe?u=7" data-msys-linkname="Unsubscribe" data-msys-unsubscribe="1">stop</a>\r\n'
    '<a href="mailto:help@shop.example">help</a>\r\n'
    "</body></html>\r\n"
).encode()
API = json.dumps({"campaign_id": "loop-campaign", "metadata": {"user": "u-42", "plan": "gold"},
                  "tags": ["weekly", "loop"], "options": {"open_tracking": True, "click_tracking": True}})


def get(url: str, headers: dict | None = None) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", parts.path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.mark.usefixtures("needs_postfix")
def test_mail_to_click_to_event(e2e, tracking_bin):
    port = free_port()
    events = Path(e2e.path("events.jsonl"))
    milter = start_tracking(e2e, tracking_bin, "unix", {
        "tracking": {"tracking_domain": f"{LOOPBACK}:{port}"},
        "tracker": {"listen": f"{LOOPBACK}:{port}", "events_file": str(events)},
    })
    with running_tracker(tracking_bin, milter.config_path, port, Path(e2e.path("tracker.log"))):
        pf = e2e.postfix(milter=milter.socket)
        message = build_message([
            ("From", "Shop <news@shop.example>"), ("To", f"<{RCPT}>"), ("Subject", "loop"),
            ("Message-ID", unique_message_id("loop")), ("MIME-Version", "1.0"), ("X-MSYS-API", API),
            ("Content-Type", "text/html; charset=utf-8"),
        ], HTML)
        code, reply = pf.send("news@shop.example", [RCPT], message)
        assert code == 250, (code, reply)
        delivered = pf.wait_deliveries(1)[0].data
        _, original = split_postfix_received(delivered)
        parsed = email.message_from_bytes(original, policy=email.policy.default)
        assert parsed["X-MSYS-API"] is None
        html = parsed.get_body(("html",)).get_content()
        tree = html5lib.parse(html, namespaceHTMLElements=False)
        hrefs = [a.get("href") for a in tree.iter("a")]
        pixels = [img.get("src") for img in tree.iter("img") if img.get("width") == "1"]
        tracked = [h for h in hrefs if h.startswith(f"http://{LOOPBACK}:{port}/f/")]
        assert len(tracked) == 3 and "mailto:help@shop.example" in hrefs, hrefs
        assert len(pixels) == 2, pixels

        for href, (target, name) in zip(tracked, LINKS.items()):
            response = get(href, {"User-Agent": "LoopTest/1.0"})
            assert response.status == 302, (href, response.status)
            assert response.getheader("Location") == target
            assert response.getheader("Cache-Control") == "no-store"
        for src in pixels:
            response = get(src, {"User-Agent": "LoopTest/1.0"})
            assert response.status == 200 and response.getheader("Content-Type") == "image/gif"

        def lines():
            return [json.loads(ln) for ln in events.read_text().splitlines()] if events.exists() else []
        wait_until(lambda: len(lines()) >= 5, timeout=10, what="five event lines")
        got = lines()
        assert sorted(e["type"] for e in got) == ["click", "click", "initial_open", "link_unsubscribe", "open"]
        message_ids = {e["message_id"] for e in got}
        assert len(message_ids) == 1
        record = milter.wait_record(message_record(header_message_id=parsed["Message-ID"]), what="the message's log line")
        assert record["message_id"] in message_ids
        for e in got:
            assert e["rcpt_to"] == RCPT
            assert e["campaign_id"] == "loop-campaign"
            assert e["rcpt_meta"] == {"user": "u-42", "plan": "gold"}
            assert e["rcpt_tags"] == ["weekly", "loop"]
            assert e["user_agent"] == "LoopTest/1.0"
            assert e["ip_address"] == LOOPBACK
        clicks = {e["target_link_url"]: e["target_link_name"] for e in got if e["type"] in ("click", "link_unsubscribe")}
        assert clicks == LINKS

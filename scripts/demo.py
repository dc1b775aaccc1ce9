#!/usr/bin/env python3
"""The demo: a private Postfix, the milter and the tracker on loopback with the bundled
config; one HTML message with an X-MSYS-API header goes through; its tracked links are
printed, one is clicked, and the event line it wrote is printed. Then everything stops.
"""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "EndToEnd"))

from harness.message import build_message, split_postfix_received  # noqa: E402
from harness.net import tcp_accepts, wait_until  # noqa: E402
from harness.resources import Resources  # noqa: E402

BINARY = REPO / ".build" / "debug" / "tracking-milter"
CONFIG = REPO / "deploy" / "tracking-milter.yaml"
TRACKER_PORT = 8080  # the bundled config's tracker.listen and tracking_domain

HTML = """<html><body>
<h1>Autumn sale</h1>
<p>Everything is 20% off: <a href="https://shop.example/sale?utm=mail&amp;id=7" data-msys-linkname="Sale banner">see the sale</a>.</p>
<p><a href="https://shop.example/account">Your account</a> &middot; <a href="mailto:help@shop.example">Help</a></p>
</body></html>
"""
API = {"campaign_id": "autumn-sale", "metadata": {"customer_tier": "gold"}, "tags": ["sale", "demo"],
       "options": {"open_tracking": True, "click_tracking": True}}


def say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def main() -> int:
    res = Resources(label="demo")
    tracker = None
    try:
        socket = res.socket("unix", "demo")
        say(f"starting the milter ({CONFIG.relative_to(REPO)}, socket {socket.libmilter})")
        milter = res.milter([str(BINARY), "milter", "--config", str(CONFIG), "--socket", socket.libmilter], socket, name="milter")
        if tcp_accepts(TRACKER_PORT):
            print(f"something already listens on 127.0.0.1:{TRACKER_PORT}; stop it first", file=sys.stderr)
            return 1
        say(f"starting the tracker on 127.0.0.1:{TRACKER_PORT}")
        events = open(res.path("events.jsonl"), "wb")
        tracker = subprocess.Popen([str(BINARY), "tracker", "--config", str(CONFIG)], stdout=events,
                                   stderr=open(res.path("tracker.log"), "wb"))
        wait_until(lambda: tcp_accepts(TRACKER_PORT), timeout=30, what="the tracker")
        say("starting a private Postfix on loopback with smtpd_milters pointing at the milter")
        pf = res.postfix(milter=milter.socket)

        message = build_message([
            ("From", "Shop <news@shop.example>"), ("To", "<reader@example.com>"), ("Subject", "Autumn sale"),
            ("Message-ID", "<demo-1@shop.example>"), ("MIME-Version", "1.0"),
            ("X-MSYS-API", json.dumps(API)), ("Content-Type", "text/html; charset=utf-8"),
        ], HTML.replace("\n", "\r\n"))
        say(f"sending one message to reader@example.com through Postfix (port {pf.port}), X-MSYS-API: {json.dumps(API)}")
        code, reply = pf.send("news@shop.example", ["reader@example.com"], message)
        print(f"Postfix said: {code} {reply}")
        delivered = split_postfix_received(pf.wait_deliveries(1)[0].data)[1]
        parsed = email.message_from_bytes(delivered, policy=email.policy.default)
        html = parsed.get_body(("html",)).get_content()
        say("the delivered message (X-MSYS-API removed):")
        print(html)
        print("milter log:", [line for line in milter.lines() if "msg=message" in line][-1])

        links = [word.split('"')[1] for word in html.split("href=")[1:]]
        say("tracked links:")
        for link in links:
            print(" ", link)
        click = links[0]
        say(f"clicking {click}")
        parts = urlsplit(click)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", parts.path, headers={"User-Agent": "tracking-milter demo"})
        response = conn.getresponse()
        print(f"tracker answered {response.status}, Location: {response.getheader('Location')}")
        conn.close()
        events.flush()
        wait_until(lambda: Path(res.path("events.jsonl")).read_text().strip() != "", timeout=10, what="an event line")
        say("the event line:")
        print(Path(res.path("events.jsonl")).read_text().strip().splitlines()[-1])
        return 0
    finally:
        say("stopping everything")
        if tracker is not None:
            tracker.terminate()
            try:
                tracker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                tracker.kill()
        res.close()
        res.remove_files()


if __name__ == "__main__":
    sys.exit(main())

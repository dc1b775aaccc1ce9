"""RFC 8058 one-click unsubscribe with real parts: messages go through the private Postfix
with the milter (``tracking.list_unsubscribe: one-click``); the delivered copies are read
with Python's ``email`` package; the List-Unsubscribe URL is then fetched and POSTed on the
running tracker over HTTP, and the events file must show exactly the one POST.

The URL is ``https://`` (RFC 8058 requires it); the tracker under test listens on plain
HTTP on loopback, as it does behind the TLS proxy in production, so the requests go to the
URL's host, port and path over HTTP.
"""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from harness.message import build_message, split_message, split_postfix_received, unique_message_id
from harness.milter import message_record
from harness.net import LOOPBACK, free_port
from harness.programs import start_tracking
from harness.trackerprocess import running_tracker

HTML = (b"<html><body><p>Spring sale</p>\r\n"
        b'<a href="https://shop.example/sale">Sale</a>\r\n</body></html>\r\n')
MARKETING = json.dumps({"campaign_id": "unsub-campaign", "tags": ["weekly"],
                        "options": {"click_tracking": True}})
TRANSACTIONAL = json.dumps({"campaign_id": "receipts", "options": {"click_tracking": True, "transactional": True}})
SENDERS_OWN = "<mailto:unsubscribe@shop.example>, <https://shop.example/unsubscribe?u=7>"


def request(method: str, url: str, body: bytes | None = None, headers: dict | None = None):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request(method, parts.path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def send(pf, rcpt: str, api: str, extra: list[tuple[str, str]] = ()) -> str:
    message_id = unique_message_id("unsub")
    message = build_message([
        ("From", "Shop <news@shop.example>"), ("To", f"<{rcpt}>"), ("Subject", "unsubscribe test"),
        ("Message-ID", message_id), ("MIME-Version", "1.0"), ("X-MSYS-API", api), *extra,
        ("Content-Type", "text/html; charset=utf-8"),
    ], HTML)
    code, reply = pf.send("news@shop.example", [rcpt], message)
    assert code == 250, (code, reply)
    return message_id


@pytest.mark.usefixtures("needs_postfix")
def test_one_click_header_post_and_event(e2e, tracking_bin):
    port = free_port()
    events = Path(e2e.path("events.jsonl"))
    domain = f"{LOOPBACK}:{port}"
    milter = start_tracking(e2e, tracking_bin, "unix", {
        "tracking": {"tracking_domain": domain, "list_unsubscribe": "one-click"},
        "tracker": {"listen": f"{LOOPBACK}:{port}", "events_file": str(events)},
    })
    with running_tracker(tracking_bin, milter.config_path, port, Path(e2e.path("tracker.log"))):
        pf = e2e.postfix(milter=milter.socket)
        marketing_id = send(pf, "reader@example.com", MARKETING)
        send(pf, "buyer@example.com", TRANSACTIONAL)
        send(pf, "own@example.com", MARKETING, [("List-Unsubscribe", SENDERS_OWN)])
        delivered = {d.recipient: split_postfix_received(d.data)[1] for d in pf.wait_deliveries(3)}

        # The tracked marketing message: both fields, parsed by Python's email package.
        raw = delivered["reader@example.com"]
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert "/f/" in parsed.get_body(("html",)).get_content()
        assert parsed.get_all("List-Unsubscribe-Post") == ["List-Unsubscribe=One-Click"]
        values = parsed.get_all("List-Unsubscribe")
        assert values is not None and len(values) == 1, values
        match = re.fullmatch(r"<(https://[^<>\s]+)>", str(values[0]).strip())
        assert match, values[0]
        url = match.group(1)
        assert url.startswith(f"https://{domain}/u/"), url
        # On the wire: every header line within 990 bytes, and the URL whole on one line.
        fields, _ = split_message(raw)
        field = next(f for f in fields if f.name.lower() == "list-unsubscribe")
        wire_lines = [line.rstrip(b"\r") for line in field.raw.split(b"\n")]
        assert all(len(line) <= 990 for line in wire_lines), field.raw
        assert any(f"<{url}>".encode() in line for line in wire_lines), field.raw
        record = milter.wait_record(message_record(header_message_id=marketing_id), what="the marketing log line")
        assert record["list_unsubscribe"] == "added"

        # Transactional: neither field; the sender's own List-Unsubscribe: kept, no Post added.
        receipt = email.message_from_bytes(delivered["buyer@example.com"], policy=email.policy.default)
        assert receipt["List-Unsubscribe"] is None and receipt["List-Unsubscribe-Post"] is None
        assert "/f/" in receipt.get_body(("html",)).get_content()
        own = email.message_from_bytes(delivered["own@example.com"], policy=email.policy.default)
        assert own.get_all("List-Unsubscribe") == [SENDERS_OWN]
        assert own["List-Unsubscribe-Post"] is None

        def lines():
            return [json.loads(ln) for ln in events.read_text().splitlines()] if events.exists() else []

        # A GET (a mail scanner, a person's browser) shows the confirmation form; no event.
        page, body = request("GET", url, headers={"User-Agent": "LinkScanner/1.0"})
        assert page.status == 200 and page.getheader("Content-Type") == "text/html; charset=utf-8"
        assert b'<form method="post">' in body and b'name="List-Unsubscribe" value="One-Click"' in body
        head, _ = request("HEAD", url)
        assert head.status == 200
        # The tracker writes the line before it answers; give a stray write time to show anyway.
        time.sleep(0.5)
        assert lines() == []

        # The one-click POST as a mailbox provider sends it.
        response, _ = request("POST", url, body=b"List-Unsubscribe=One-Click", headers={
            "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Mozilla/5.0 (compatible; OneClick/1.0)"})
        assert response.status == 200
        got = lines()
        assert len(got) == 1, got
        event = got[0]
        assert event["type"] == "list_unsubscribe"
        assert event["rcpt_to"] == "reader@example.com"
        assert event["campaign_id"] == "unsub-campaign"
        assert event["rcpt_tags"] == ["weekly"]
        assert event["message_id"] == record["message_id"]
        assert event["user_agent"] == "Mozilla/5.0 (compatible; OneClick/1.0)"
        assert event["ip_address"] == LOOPBACK
        assert "machine" in event and "target_link_url" not in event

        # A tampered token: 404 for both methods, nothing written.
        token = url.rsplit("/", 1)[1]
        bad = url[: -len(token)] + ("A" if token[0] != "A" else "B") + token[1:]
        assert request("GET", bad)[0].status == 404
        assert request("POST", bad, body=b"List-Unsubscribe=One-Click")[0].status == 404
        assert len(lines()) == 1


@pytest.mark.usefixtures("needs_postfix", "needs_sendmail")
def test_long_token_survives_sendmail_and_postfix(e2e, tracking_bin):
    """A token with ~600 bytes of metadata makes an ~850-byte URL. Through Sendmail (whose
    smtp mailer breaks lines past L=990 with '!') and through Postfix the field arrives
    folded after the colon with the URL whole, within 990 bytes, and decodes to the
    recipient, campaign and metadata."""
    from harness.sendmail import start_sendmail
    from harness.through import RCPT, via_postfix, via_sendmail
    from oracle.runner import Tool

    milter = start_tracking(e2e, tracking_bin, "unix", {
        "tracking": {"tracking_domain": "track.example.com", "list_unsubscribe": "one-click"}})
    tool = Tool(tracking_bin, e2e)
    tool.configs[True] = milter.config_path          # decode with the milter's own key file
    sm = start_sendmail(e2e, milter=milter.socket)
    pf = e2e.postfix(milter=milter.socket)
    metadata = {"profile": "p" * 600}
    api = json.dumps({"campaign_id": "long", "metadata": metadata, "options": {"click_tracking": True}})

    def message(tag: str) -> bytes:
        return build_message([
            ("From", "Shop <news@shop.example>"), ("To", f"<{RCPT}>"), ("Subject", "long token"),
            ("Message-ID", unique_message_id(tag)), ("MIME-Version", "1.0"), ("X-MSYS-API", api),
            ("Content-Type", "text/html; charset=utf-8"),
        ], HTML)

    for passage in (via_sendmail(sm, message("sm")), via_postfix(pf, message("pf"))):
        parsed = email.message_from_bytes(passage.data, policy=email.policy.default)
        assert parsed.get_all("List-Unsubscribe-Post") == ["List-Unsubscribe=One-Click"]
        match = re.fullmatch(r"<(https://track\.example\.com/u/[A-Za-z0-9_-]+)>", str(parsed["List-Unsubscribe"]).strip())
        assert match, parsed["List-Unsubscribe"]
        url = match.group(1)
        assert 700 < len(url) < 990, len(url)
        fields, _ = split_message(passage.data)
        field = next(f for f in fields if f.name.lower() == "list-unsubscribe")
        wire_lines = [line.rstrip(b"\r") for line in field.raw.rstrip(b"\r\n").split(b"\n")]
        assert wire_lines[0].rstrip() == b"List-Unsubscribe:" and wire_lines[1] == f" <{url}>".encode(), field.raw
        assert all(len(line) <= 990 for line in wire_lines)
        record = tool.decode([url])[url]
        assert record["type"] == "list_unsubscribe", record
        assert record["rcpt_to"] == RCPT and record["campaign_id"] == "long" and record["rcpt_meta"] == metadata

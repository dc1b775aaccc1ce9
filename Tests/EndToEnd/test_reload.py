"""Reload without restart (SIGUSR1), and what SIGHUP does, through a real Postfix.

- SIGUSR1 puts a changed configuration and key file in force for the next message;
- a broken file is refused with its FILE:LINE error and the old settings keep serving;
- reloads under load lose no message;
- SIGHUP reloads as SIGUSR1 does (the milter's main thread takes it before libmilter's
  signal thread can).
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest

from harness.message import build_message, split_postfix_received, unique_message_id
from harness.net import wait_until
from harness.programs import start_tracking
from harness.trackingconfig import tracking_config, write_yaml

pytestmark = pytest.mark.usefixtures("needs_postfix")

HTML = '<html><body><p><a href="https://shop.example/spring">Spring</a></p></body></html>\n'


def message(mid: str) -> bytes:
    return build_message([
        ("From", "Sender <sender@example.com>"), ("To", "<rcpt@example.com>"), ("Subject", "reload"),
        ("Message-ID", mid), ("MIME-Version", "1.0"), ("Content-Type", "text/html; charset=utf-8"),
    ], HTML)


def tracking_on(domain: str) -> dict:
    return {"tracking": {"click_tracking_enabled": True, "tracking_domain": domain}}


def rewrite_config(milter, overrides: dict) -> None:
    """Writes the milter's config file anew: its socket and key file, plus ``overrides``."""
    keys = re.search(r'file: "([^"]+)"', milter.config_path.read_text()).group(1)
    cfg = tracking_config(milter.socket, overrides)
    cfg["keys"] = {"file": keys}
    write_yaml(milter.config_path, cfg)


def reload_and_wait(milter, what: str, count_before: int, timeout: float = 10.0) -> dict:
    os.kill(milter.pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = [r for r in milter.records() if r.get("msg") in ("reloaded", "reload refused; the running configuration stays in force")]
        if len(records) > count_before:
            return records[-1]
        time.sleep(0.05)
    raise TimeoutError(f"no reload line for {what}\n{milter.stderr()[-2000:]}")


def reload_lines(milter) -> int:
    return len([r for r in milter.records() if r.get("msg", "").startswith("reload")])


def delivered_link_host(pf, milter, mid: str) -> str:
    result = pf.send("sender@example.com", ["rcpt@example.com"], message(mid))
    assert result.ok, result
    delivery = pf.wait_delivery_of(result.queue_id)
    body = split_postfix_received(delivery.data)[1].decode()
    match = re.search(r'href="https?://([^/"]+)/f/', body)
    assert match, body
    return match.group(1)


def test_sigusr1_puts_a_new_configuration_in_force(e2e, tracking_bin):
    milter = start_tracking(e2e, tracking_bin, overrides=tracking_on("first.example.test"))
    pf = e2e.postfix(milter=milter.socket)
    assert delivered_link_host(pf, milter, unique_message_id("before")) == "first.example.test"

    rewrite_config(milter, tracking_on("second.example.test"))
    rec = reload_and_wait(milter, "a good file", reload_lines(milter))
    assert rec.get("msg") == "reloaded", rec
    assert delivered_link_host(pf, milter, unique_message_id("after")) == "second.example.test"
    assert milter.alive()


def test_a_broken_file_is_refused_with_its_line_and_the_old_one_keeps_serving(e2e, tracking_bin):
    milter = start_tracking(e2e, tracking_bin, overrides=tracking_on("kept.example.test"))
    pf = e2e.postfix(milter=milter.socket)
    good = milter.config_path.read_text()
    milter.config_path.write_text(good + "tracking:\n  tracking_link_expiry: soon\n")
    rec = reload_and_wait(milter, "a broken file", reload_lines(milter))
    assert rec.get("msg", "").startswith("reload refused"), rec
    assert re.search(re.escape(str(milter.config_path)) + r":\d+:\d+: ", rec.get("error", "")), rec
    assert delivered_link_host(pf, milter, unique_message_id("still")) == "kept.example.test"
    assert milter.alive()


def test_twenty_reloads_under_load_lose_no_message(e2e, tracking_bin):
    milter = start_tracking(e2e, tracking_bin, overrides=tracking_on("load.example.test"))
    pf = e2e.postfix(milter=milter.socket)
    ids = [unique_message_id(f"load{n}") for n in range(120)]
    failures: list = []

    def sender(chunk):
        for mid in chunk:
            result = pf.send("sender@example.com", ["rcpt@example.com"], message(mid))
            if not result.ok:
                failures.append((mid, result))

    threads = [threading.Thread(target=sender, args=(ids[i::6],)) for i in range(6)]
    for t in threads:
        t.start()
    for n in range(20):
        rewrite_config(milter, tracking_on(f"load{n % 2}.example.test"))
        os.kill(milter.pid, signal.SIGUSR1)
        time.sleep(0.1)
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures[:3]
    deliveries = pf.wait_deliveries(len(ids), timeout=60)
    delivered = {re.search(rb"Message-ID: (<[^>]+>)", d.data).group(1).decode() for d in deliveries}
    assert delivered == set(ids)
    for d in deliveries:
        body = split_postfix_received(d.data)[1]
        assert re.search(rb'href="http://load[0-9]?\.example\.test/f/', body), body[:400]
    assert milter.alive()
    reloaded = [r for r in milter.records() if r.get("msg") == "reloaded"]
    assert len(reloaded) >= 10, len(reloaded)   # signals sent close together may merge


def test_sighup_reloads_too(e2e, tracking_bin):
    milter = start_tracking(e2e, tracking_bin, overrides=tracking_on("hup1.example.test"))
    pf = e2e.postfix(milter=milter.socket)
    rewrite_config(milter, tracking_on("hup2.example.test"))
    before = reload_lines(milter)
    os.kill(milter.pid, signal.SIGHUP)
    wait_until(lambda: reload_lines(milter) > before, 10, what="the reload line after SIGHUP")
    assert milter.alive()
    assert delivered_link_host(pf, milter, unique_message_id("hup")) == "hup2.example.test"

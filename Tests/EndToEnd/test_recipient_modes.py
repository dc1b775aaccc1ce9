"""recipient_mode split and shared with real SMTP clients (SPEC 2.3, 3; docs/recipient-modes.md).

Split mode answers the 2nd and later RCPT of a transaction with ``452 4.5.3``.
These tests put a real Postfix in front ("A", the sending MTA) of the Postfix
that runs the milter ("B") and check the set-ups the docs recommend:

- A with a recipient limit of 1 (dedicated ``trackrelay`` transport, or
  ``smtp_destination_recipient_limit``): one transaction per recipient, no 452;
- A with Postfix's defaults: the 452'd recipients are deferred to A's queue and
  come back later (here after 5 s: A's backoff times are lowered, the defaults
  are 300 s), one recipient per retry round; none is lost;
- one Postfix whose applications' port has no milter and re-injects through
  ``trackrelay`` into a loopback smtpd with the milter.

Plus what a direct SMTP client sees in split mode, shared mode, and the
``customer:`` policy rule via ``{auth_authen}`` (miltertest and real SMTP AUTH).

The milters (one per mode, same policy) are shared by the module; every test
has its own Postfix instances and finds its log lines by Message-ID/queue id.
"""

from __future__ import annotations

import smtplib
import uuid
from datetime import datetime

import pytest

from harness import sasl
from harness.logparse import as_bool, as_list
from harness.message import simple_message, unique_message_id
from harness.milter import message_record
from harness.miltertest import run_miltertest
from harness.net import LOOPBACK, free_port, wait_until
from harness.programs import start_tracking
from harness.relay import (delivery_attempts, milter_rejects, single_instance_settings,
                           start_relay_pair)

SENDER = "sender@example.com"
RCPTS = ["a@one.example", "b@two.example", "c@three.example"]

# Per recipient: (campaign, click) as the policy below resolves it in split mode.
EXPECTED = {
    "a@one.example": ("one", True),
    "b@two.example": ("two", True),
    "c@three.example": (None, False),
}

TRACKING_LISTENER = "tracking"       # milter_macro_daemon_name of the loopback listener

POLICY = [
    {"match": {"recipient_domain": "one.example"}, "set": {"smtpapi_campaign_id": "one"}},
    {"match": {"recipient_domain": "two.example"}, "set": {"smtpapi_campaign_id": "two"}},
    {"match": {"recipient_domain": "three.example"}, "set": {"smtpapi_click_tracking": "0"}},
    {"match": {"customer": "acme"}, "set": {"smtpapi_campaign_id": "acme-campaign"}},
    {"match": {"listener": TRACKING_LISTENER}, "set": {"smtpapi_tags": '["via-tracking-listener"]'}},
]


def milter_config(mode: str) -> dict:
    return {
        "milter": {"recipient_mode": mode},
        "tracking": {"click_tracking_enabled": True},
        "policy": POLICY,
    }


@pytest.fixture(scope="module")
def milters(e2e_module, tracking_bin):
    """``milters("split"|"shared")``: a tracking-milter with POLICY, started once per module."""
    running = {}

    def get(mode: str):
        m = running.get(mode)
        if m is None or not m.alive():
            m = running[mode] = start_tracking(e2e_module, tracking_bin, "unix", milter_config(mode))
        return m
    return get


def message(mid: str) -> bytes:
    return simple_message(subject="recipient modes", rcpt=RCPTS[0], message_id=mid)


def message_records(milter, mid: str, n: int, timeout: float = 30.0) -> list[dict]:
    """Wait for ``n`` per-message log lines of the message with Message-ID ``mid``."""
    found: list[dict] = []

    def check():
        found[:] = [r for r in milter.records()
                    if r.get("msg") == "message" and r.get("header_message_id") == mid]
        return len(found) >= n
    try:
        wait_until(check, timeout, interval=0.1, what=f"{n} log lines for {mid}")
    except TimeoutError as e:
        raise TimeoutError(f"{e}; got {found}\nmilter stderr tail:\n{milter.stderr()[-3000:]}") \
            from None
    return found


def by_recipient(records: list[dict]) -> dict:
    """{recipient: record}; every record must name exactly one recipient."""
    out = {}
    for rec in records:
        rcpts = as_list(rec.get("recipients"))
        assert len(rcpts) == 1, f"split mode logged {rcpts} in one line: {rec}"
        assert rcpts[0] not in out, f"two lines for {rcpts[0]}: {out[rcpts[0]]} and {rec}"
        out[rcpts[0]] = rec
    return out


def check_resolved_per_recipient(records: list[dict]) -> None:
    lines = by_recipient(records)
    assert sorted(lines) == sorted(RCPTS), lines
    for rcpt, (campaign, click) in EXPECTED.items():
        rec = lines[rcpt]
        assert rec.get("campaign") == campaign, (rcpt, rec)
        assert as_bool(rec.get("click")) is click, (rcpt, rec)
        assert as_bool(rec.get("open")) is False, (rcpt, rec)
        assert "tracking" not in rec, (rcpt, rec)
        assert "customer" not in rec, (rcpt, rec)        # nobody logged in (or relayed)


def log_time(rec: dict) -> datetime:
    return datetime.fromisoformat(str(rec["time"]).replace("Z", "+00:00"))


def check_delivered_once_each(deliveries, mid: str) -> None:
    assert sorted(d.recipient for d in deliveries) == sorted(RCPTS), deliveries
    for d in deliveries:
        assert mid.encode() in d.data, d.name


# ---- split mode behind a sending Postfix ------------------------------------------

@pytest.mark.usefixtures("needs_postfix")
@pytest.mark.parametrize("setup", ["transport", "recipient_limit"])
def test_split_relay_with_recipient_limit_sends_one_recipient_per_transaction(e2e, milters, setup):
    milter = milters("split")
    a, b = start_relay_pair(e2e, milter.socket, setup)
    mid = unique_message_id(f"split-{setup}")
    result = a.send(SENDER, RCPTS, message(mid))
    assert result.ok and all(c == 250 for c, _ in result.rcpt_replies.values()), result

    deliveries = b.wait_deliveries(3, timeout=30)
    check_delivered_once_each(deliveries, mid)
    records = message_records(milter, mid, 3)
    assert len(records) == 3, records
    check_resolved_per_recipient(records)
    assert not any("deferred_recipients" in r for r in records), records
    assert all(r.get("queue_id") in {d.queue_id for d in deliveries} for r in records), records
    assert not any("tags" in r for r in records), records     # {daemon_name} is myhostname here

    # A: three single-recipient deliveries, each accepted at once; B: no 452 at all.
    attempts = delivery_attempts(a.maillog(), result.queue_id)
    assert sorted(x.recipient for x in attempts) == sorted(RCPTS), a.maillog()
    assert all(x.status == "sent" for x in attempts), [x.line for x in attempts]
    want_service = "trackrelay/smtp" if setup == "transport" else "smtp"
    assert all(x.service == want_service for x in attempts), [x.line for x in attempts]
    assert len({x.text for x in attempts}) == 3        # three B queue ids: three transactions
    assert milter_rejects(b.maillog()) == []
    wait_until(lambda: a.queue_files() == [], 10, what="A's queue to empty")


@pytest.mark.usefixtures("needs_postfix")
def test_split_relay_with_default_sender_defers_and_retries_until_all_arrive(e2e, milters):
    """A with Postfix's default recipient limit: the 452'd recipients go to A's deferred
    queue and come back one per retry round. A's minimal_backoff_time and
    queue_run_delay are 5 s here (defaults: 300 s, measured in docs/recipient-modes.md)."""
    milter = milters("split")
    a, b = start_relay_pair(e2e, milter.socket, "default", fast_retry=True)
    mid = unique_message_id("split-default")
    result = a.send(SENDER, RCPTS, message(mid))
    assert result.ok, result

    deliveries = b.wait_deliveries(3, timeout=90)
    check_delivered_once_each(deliveries, mid)
    records = message_records(milter, mid, 3)
    assert len(records) == 3, records
    check_resolved_per_recipient(records)
    # in log order: 2 deferred, then 1, then none
    assert [int(r.get("deferred_recipients", 0)) for r in records] == [2, 1, 0], records
    # the retries came from A's queue, not from the same SMTP session: at least
    # one backoff (5 s, less scheduling slack) apart
    for earlier, later in zip(records, records[1:]):
        gap = (log_time(later) - log_time(earlier)).total_seconds()
        assert gap >= 4.0, f"retry after {gap:.1f}s: {earlier} / {later}"

    attempts = delivery_attempts(a.maillog(), result.queue_id)
    deferred = [x for x in attempts if x.status == "deferred"]
    sent = [x for x in attempts if x.status == "sent"]
    assert sorted(x.recipient for x in sent) == sorted(RCPTS), [x.line for x in attempts]
    assert len(deferred) == 3, [x.line for x in attempts]           # 2 in round 1, 1 in round 2
    assert all(x.dsn == "4.5.3" and "452 4.5.3 Too many recipients" in x.text
               and "in reply to RCPT TO command" in x.text for x in deferred), [x.line for x in deferred]
    assert not any(x.status == "bounced" for x in attempts)
    assert len(milter_rejects(b.maillog())) == 3, b.maillog()
    wait_until(lambda: a.queue_files() == [], 10, what="A's queue to empty")


# ---- split mode, SMTP client talking to the milter's Postfix directly --------------

@pytest.mark.usefixtures("needs_postfix")
def test_split_direct_client_gets_250_then_452_4_5_3(e2e, milters):
    milter = milters("split")
    b = e2e.postfix(milter=milter.socket)
    mid = unique_message_id("split-direct")
    result = b.send(SENDER, RCPTS, message(mid))
    assert result.ok, result
    first, *rest = RCPTS
    assert result.rcpt_replies[first][0] == 250, result
    for rcpt in rest:
        code, text = result.rcpt_replies[rcpt]
        assert code == 452 and text.startswith("4.5.3 "), (rcpt, code, text)
        assert "Too many recipients" in text, text
    (d,) = b.wait_deliveries(1)
    assert d.recipient == first
    (rec,) = message_records(milter, mid, 1)
    assert as_list(rec.get("recipients")) == [first], rec
    assert rec.get("deferred_recipients") == "2", rec
    assert rec.get("campaign") == "one", rec


@pytest.mark.usefixtures("needs_postfix")
def test_split_client_resending_in_the_same_session_gets_everyone_through(e2e, milters):
    """RFC 5321's suggestion: send the 452'd recipients in further transactions on the
    same connection. Each transaction is logged and resolved on its own."""
    milter = milters("split")
    b = e2e.postfix(milter=milter.socket)
    mid = unique_message_id("split-resend")
    msg = message(mid)
    pending, rounds = list(RCPTS), []
    smtp = smtplib.SMTP(LOOPBACK, b.port, local_hostname="client.e2e.test", timeout=60)
    try:
        smtp.ehlo()
        for _ in range(len(RCPTS) + 1):          # bounded: one round per recipient at most
            if not pending:
                break
            assert smtp.mail(SENDER)[0] == 250
            replies = {r: smtp.rcpt(r)[0] for r in pending}
            assert set(replies.values()) <= {250, 452}, replies
            accepted = [r for r, c in replies.items() if c == 250]
            assert len(accepted) == 1, replies
            code, text = smtp.data(msg)
            assert code == 250, text
            rounds.append(accepted[0])
            pending = [r for r, c in replies.items() if c == 452]
    finally:
        smtp.quit()
    assert rounds == RCPTS and not pending
    check_delivered_once_each(b.wait_deliveries(3), mid)
    records = message_records(milter, mid, 3)
    check_resolved_per_recipient(records)
    assert [int(r.get("deferred_recipients", 0)) for r in records] == [2, 1, 0], records


# ---- one Postfix: applications' port without milter, re-injection with it ----------

@pytest.mark.usefixtures("needs_postfix")
def test_single_postfix_front_port_relays_one_recipient_at_a_time_to_milter_listener(e2e, milters):
    """Set-up C of deploy/postfix/*.split-relay: applications use a port without the
    milter; content_filter sends every message through trackrelay (recipient limit 1) to
    a loopback smtpd with the milter and milter_macro_daemon_name=tracking. Virtual
    aliases are expanded before trackrelay, so an alias's members get a transaction each."""
    milter = milters("split")
    main, master = single_instance_settings(milter.socket, free_port())
    main["virtual_alias_maps"] = "inline:{ { team@lists.example = b@two.example, c@three.example } }"
    pf = e2e.postfix(main_cf=main, master_cf=master)
    mid = unique_message_id("split-single")
    result = pf.send(SENDER, ["a@one.example", "team@lists.example"], message(mid))
    assert result.ok and all(c == 250 for c, _ in result.rcpt_replies.values()), result
    deliveries = pf.wait_deliveries(3, timeout=30)
    check_delivered_once_each(deliveries, mid)
    records = message_records(milter, mid, 3)
    assert len(records) == 3, records
    check_resolved_per_recipient(records)
    # {daemon_name} is milter_macro_daemon_name of the loopback smtpd
    assert all(as_list(r.get("tags")) == ["via-tracking-listener"] for r in records), records
    assert not any("deferred_recipients" in r for r in records), records
    assert milter_rejects(pf.maillog()) == []
    relayed = delivery_attempts(pf.maillog(), result.queue_id)
    assert sorted(x.recipient for x in relayed) == sorted(RCPTS), pf.maillog()
    assert all(x.service == "trackrelay/smtp" and x.status == "sent" for x in relayed), \
        [x.line for x in relayed]


# ---- shared mode ------------------------------------------------------------------

@pytest.mark.usefixtures("needs_postfix")
def test_shared_mode_one_log_line_for_all_recipients_and_one_delivery_each(e2e, milters):
    milter = milters("shared")
    b = e2e.postfix(milter=milter.socket)
    mid = unique_message_id("shared")
    result = b.send(SENDER, RCPTS, message(mid))
    assert result.ok and all(c == 250 for c, _ in result.rcpt_replies.values()), result
    deliveries = b.wait_deliveries(3)
    check_delivered_once_each(deliveries, mid)
    assert {d.queue_id for d in deliveries} == {result.queue_id}
    (rec,) = message_records(milter, mid, 1)
    assert as_list(rec.get("recipients")) == RCPTS, rec
    assert rec.get("queue_id") == result.queue_id, rec
    assert "deferred_recipients" not in rec, rec
    # recipient conditions must hold for every recipient of a shared body: none of the
    # per-domain rules applies, so the config's defaults stand
    assert rec.get("campaign") is None, rec
    assert as_bool(rec.get("click")) is True, rec
    assert milter_rejects(b.maillog()) == []


# ---- customer (SMTP AUTH name, {auth_authen}) -------------------------------------

@pytest.mark.usefixtures("needs_miltertest")
@pytest.mark.parametrize("auth,campaign", [("acme", "acme-campaign"), ("other", None), (None, None)],
                         ids=["acme", "other", "no-auth"])
def test_customer_rule_via_miltertest_auth_authen_macro(milters, auth, campaign):
    milter = milters("split")
    qid = "E2E" + uuid.uuid4().hex[:10].upper()
    mid = unique_message_id("customer-mt")
    defines = {"queue_id": qid, "message_id": mid, "rcpt": "rcpt@example.com"}
    if auth:
        defines["auth_authen"] = auth       # sent with SMFIC_MAIL after an explicit HELO
    r = run_miltertest("plain_message_untouched", milter.socket, defines)
    assert r.passed, r.explain() + f"\n--- milter stderr tail\n{milter.stderr()[-2000:]}"
    rec = milter.wait_record(message_record(queue_id=qid), what=f"log line queue_id={qid}")
    assert rec.get("header_message_id") == mid, rec
    assert rec.get("customer") == auth, rec
    assert rec.get("campaign") == campaign, rec


@pytest.mark.usefixtures("needs_postfix")
def test_customer_rule_via_real_smtp_auth(e2e, milters):
    why = sasl.missing_reason()
    if why:
        pytest.skip(why)
    milter = milters("split")
    users = {"acme": "acme-secret", "other": "other-secret"}
    b = e2e.postfix(milter=milter.socket, sasl_users=users)

    bad = b.send(SENDER, ["rcpt@example.com"], message(unique_message_id("bad")),
                 auth=("acme", "wrong"))
    assert bad.stage == "auth" and bad.code == 535, bad

    for user, campaign in (("acme", "acme-campaign"), ("other", None)):
        mid = unique_message_id(f"customer-{user}")
        result = b.send(SENDER, ["rcpt@example.com"], message(mid), auth=(user, users[user]))
        assert result.ok, result
        (rec,) = message_records(milter, mid, 1)
        assert rec.get("customer") == user, rec
        assert rec.get("campaign") == campaign, rec
        assert rec.get("queue_id") == result.queue_id, rec
        assert f"{result.queue_id}: client=unknown[127.0.0.1], sasl_method=PLAIN, " \
               f"sasl_username={user}" in b.maillog()
    assert len(b.wait_deliveries(2)) == 2

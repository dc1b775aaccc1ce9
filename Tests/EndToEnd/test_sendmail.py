"""tracking-milter behind a real Sendmail (8.17, Debian 12), the checks of the Postfix tests.

Each test starts its own Sendmail (harness/sendmail.py: a private root beside Postfix,
its own namespace, relaying to an smtp-sink) with the lines of
deploy/sendmail/tracking-milter.mc; the milters are shared by the module (libmilter
needs ~5 s to stop). What is measured here is written up in docs/operations.md
(Sendmail section) and docs/recipient-modes.md (Sendmail as the sending MTA).
"""

from __future__ import annotations

import os
import re
import shutil
import smtplib
import socket
from datetime import datetime

import pytest

from harness import sasl
from harness.logparse import as_json, as_list
from harness.message import build_message, header_values, remove_header, unique_message_id
from harness.milter import message_record
from harness.net import LOOPBACK, wait_until
from harness.programs import make_key_file, start_tracking
from harness.relay import SENDER_HOSTNAME, milter_rejects
from harness.sendmail import (SendmailInstance, SmtpSink, cf_filters, cf_options,
                              split_relay_mc_lines, start_sendmail)
from harness.sockspec import SocketSpec
from harness.through import via_postfix, via_sendmail
from harness.tracking import BAD_HEADERS, HTML_BODY, api_header_value, check_good_record
from harness.trackingconfig import tracking_config, write_yaml

pytestmark = pytest.mark.usefixtures("needs_sendmail")

SENDER = "sender@example.com"
RCPTS = ["a@one.example", "b@two.example", "c@three.example"]
DAEMON_NAME = "MTA"              # DAEMON_OPTIONS(Name=...) of the harness: Sendmail's {daemon_name}

# Rules that show which macros reached the milter; they apply to *.macros.example only.
MACRO_POLICY = [
    {"match": {"recipient_domain": "macros.example", "listener": DAEMON_NAME},
     "set": {"smtpapi_tags": '["listener-MTA"]'}},
    {"match": {"recipient_domain": "macros.example", "client": "127.0.0.0/8"},
     "set": {"smtpapi_metadata": '{"client": "loopback"}'}},
    {"match": {"recipient_domain": "macros.example", "sender_domain": "sender.example"},
     "set": {"smtpapi_campaign_id": "sender-rule"}},
    {"match": {"recipient_domain": "macros.example", "customer": "acme"},
     "set": {"smtpapi_campaign_id": "acme-campaign"}},
]


def milter_config(mode: str) -> dict:
    return {"milter": {"recipient_mode": mode}, "policy": MACRO_POLICY}


@pytest.fixture(scope="module")
def milters(e2e_module, tracking_bin):
    """``milters("split"|"shared", kind="unix")``: one tracking-milter per mode and socket kind."""
    running = {}

    def get(mode: str = "split", kind: str = "unix"):
        m = running.get((mode, kind))
        if m is None or not m.alive():
            m = running[(mode, kind)] = start_tracking(e2e_module, tracking_bin, kind, milter_config(mode))
        return m
    return get


def message(api_value=None, message_id=None, body=HTML_BODY, rcpt="rcpt@example.com") -> bytes:
    """A message Sendmail leaves alone: it has Date, From and Message-ID (Sendmail adds
    the ones that are missing) and no line longer than 990 octets."""
    headers = [
        ("From", "Sender <sender@example.com>"),
        ("To", f"<{rcpt}>"),
        ("Subject", "tracking test via sendmail"),
        ("Date", "Tue, 25 Nov 2025 12:00:00 +0000"),
        ("Message-ID", message_id or unique_message_id("sm")),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/html; charset=utf-8"),
    ]
    if api_value is not None:
        headers.append(("X-MSYS-API", api_value))
    return build_message(headers, body)


def tricky_body() -> bytes:
    """What naive paths change: dot lines, From_ lines, 8-bit, long-ish lines, blank tail."""
    return b"".join([
        b"<html><body>\r\n",
        b".A line starting with a dot\r\n",
        b"..two dots\r\n",
        b".\r\n",
        b"From the start of a line\r\n",
        b"trailing spaces   \r\n",
        b"\ttab-indented\r\n",
        b"y" * 990 + b"\r\n",                   # the longest line Sendmail's esmtp mailer keeps
        "8-bit: caf\u00e9 \u00fcber <a href=\"https://example.org/\">x</a>\r\n".encode("utf-8"),
        b"</body></html>\r\n",
        b"\r\n",
    ])


# ---- X-MSYS-API stripped, everything else as Postfix delivers it ---------------------------

@pytest.mark.usefixtures("needs_postfix")
@pytest.mark.parametrize("kind", ["unix", "inet"])
def test_api_header_removed_and_message_identical_to_postfix_delivery(e2e, milters, kind):
    milter = milters("split", kind)
    sm = start_sendmail(e2e, milter=milter.socket)
    pf = e2e.postfix(milter=milter.socket)
    msg = message(api_header_value(), body=tricky_body())

    via_sm = via_sendmail(sm, msg)
    via_pf = via_postfix(pf, msg)
    assert header_values(via_sm.data, "X-MSYS-API") == []
    assert via_sm.data == remove_header(msg, "X-MSYS-API")     # tracking off: the rest unchanged
    assert via_sm.data == via_pf.data                            # ... and the same as Postfix's

    rec = milter.wait_record(message_record(queue_id=via_sm.queue_id),
                             what=f"log line queue_id={via_sm.queue_id}")
    check_good_record(rec)
    # Milter.LogLevel 8 (deploy .mc): Sendmail does not log the deleted header's value
    assert "X-MSYS-API" not in sm.sendmail.maillog() and "spring" not in sm.sendmail.maillog()


def test_without_milter_log_level_8_sendmail_logs_the_deleted_header_value(e2e, milters):
    """Why deploy/sendmail/tracking-milter.mc sets confMILTER_LOG_LEVEL 8: at Sendmail's
    default (9) the X-MSYS-API value, campaign and metadata, lands in the mail log."""
    sm = start_sendmail(e2e, milter=milters().socket, mc_extra="define(`confMILTER_LOG_LEVEL', `9')dnl")
    passage = via_sendmail(sm, message(api_header_value()))
    texts = [line.text for line in sm.sendmail.log_lines(passage.queue_id)]
    assert f"Milter (tracking) delete: header X-MSYS-API: {api_header_value()}" in texts, texts


def test_message_without_api_header_passes_unchanged(e2e, milters):
    sm = start_sendmail(e2e, milter=milters().socket)
    msg = message(None)
    assert via_sendmail(sm, msg).data == msg


# ---- 550 5.6.0 for bad X-MSYS-API data -------------------------------------------------------

@pytest.mark.parametrize("case_id,api_value,reply", BAD_HEADERS, ids=[c[0] for c in BAD_HEADERS])
def test_bad_header_is_rejected_with_550_5_6_0(e2e, milters, case_id, api_value, reply):
    milter = milters()
    sm = start_sendmail(e2e, milter=milter.socket)
    mid = unique_message_id(case_id)
    result = sm.send(SENDER, ["rcpt@example.com"], message(api_value, mid))
    assert result.stage == "data" and result.code == 550, result
    assert result.reply.startswith("5.6.0 "), result
    if reply is not None:
        assert result.reply == reply
    rec = milter.wait_record(message_record(header_message_id=mid), what=f"log line for {mid}")
    assert rec.get("outcome") == "rejected" and rec.get("reason"), rec
    # Sendmail logs the milter's verdict and queues nothing; the sink got nothing
    qid = rec["queue_id"]
    lines = [line.text for line in sm.sendmail.log_lines(qid)]
    assert any(t.startswith("Milter: data, reject=550 5.6.0 ") for t in lines), lines
    assert sm.sendmail.queue_files() == [] and sm.sink.messages() == []


# ---- the milter down: F=T makes Sendmail answer 451 4.3.2 -----------------------------------

def _stale_socket(path: str) -> None:
    """A unix socket file nobody listens on (what a crashed milter leaves behind)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()


@pytest.mark.parametrize("state", ["no-socket-file", "stale-socket"])
def test_milter_down_tempfails_with_451_4_3_2_at_mail_from(e2e, state):
    sock = e2e.socket("unix", "down")
    if state == "stale-socket":
        _stale_socket(sock.path)
    sm = start_sendmail(e2e, milter=sock)
    smtp = smtplib.SMTP(LOOPBACK, sm.port, local_hostname="client.e2e.test", timeout=60)
    try:
        assert smtp.ehlo()[0] == 250
        code, text = smtp.mail(SENDER)
        assert (code, text.decode()) == (451, "4.3.2 Please try again later"), (code, text)
    finally:
        smtp.quit()
    want = {"no-socket-file": f"Milter (tracking): local socket name {sock.path} unsafe",
            "stale-socket": "Milter (tracking): error connecting to filter: Connection refused"}[state]
    wait_until(lambda: "temp failing commands" in sm.sendmail.maillog(), 10, what="Sendmail's log")
    texts = [line.text for line in sm.sendmail.log_lines()]
    assert any(t.startswith(want) for t in texts), texts
    assert "Milter: initialization failed, temp failing commands" in texts, texts
    assert sm.sendmail.queue_files() == [] and sm.sink.messages() == []


def test_group_writable_socket_directory_stops_sendmail_from_starting(e2e, tracking_bin):
    """Sendmail's file safety checks: a milter socket in a group-writable directory is
    "unsafe", and the daemon refuses to start (exit 71). A 0750 directory owned by another
    user, with a 0660 socket, is fine for Sendmail running as root
    (deploy/systemd: RuntimeDirectoryMode=0750, socket_mode "0660")."""
    results = {}
    for mode in (0o750, 0o770):
        run_dir = e2e.path(e2e.unique("run"))
        run_dir.mkdir()
        sock = SocketSpec.unix(str(run_dir / "milter.sock"))
        cfg = tracking_config(sock, {"milter": {"socket_mode": "0660"}})
        cfg["keys"] = {"file": str(make_key_file(e2e, tracking_bin))}
        path = write_yaml(e2e.path(f"{e2e.unique('tracking')}.yaml"), cfg)
        m = e2e.milter([tracking_bin, "milter", "--config", path], sock, name="tracking")
        os.chmod(run_dir, mode)
        shutil.chown(run_dir, "nobody", "nogroup")
        shutil.chown(sock.path, "nobody", "nogroup")
        sink = SmtpSink(e2e.path(e2e.unique("sink")))
        e2e.items.append(sink)
        sink.start()
        inst = SendmailInstance(e2e.path(e2e.unique("sm")), sink_port=sink.port, milter=sock)
        e2e.items.append(inst)
        try:
            inst.start()
            r = inst.send(SENDER, ["rcpt@example.com"], message())
            results[mode] = f"started; {r.code} {r.reply}"
        except RuntimeError as e:
            results[mode] = str(e)
        finally:
            inst.stop()
            m.stop()
    assert results[0o750].startswith("started; 250 2.0.0 "), results
    assert "exited 71" in results[0o770], results
    assert f"milter.sock unsafe: Group writable directory" in results[0o770], results


# ---- macros: what the milter gets from Sendmail ------------------------------------------------

@pytest.mark.parametrize("macro_lines", [True, False], ids=["deploy-macro-lines", "no-macro-lines"])
def test_milter_gets_its_macros_with_or_without_the_mc_macro_lines(e2e, milters, macro_lines):
    """tracking-milter asks for its macros with smfi_setsymlist; Sendmail 8.17 honours that
    for RCPT, so the .mc's confMILTER_MACROS_* additions are a fallback only: with and
    without them, i, {daemon_name}, {client_addr}, {mail_addr}, {rcpt_addr} arrive."""
    milter = milters()
    sm = start_sendmail(e2e, milter=milter.socket, milter_macros=macro_lines)
    options = cf_options(sm.sendmail.cf_path.read_text())
    assert ("{client_addr}" in options["Milter.macros.connect"]) is macro_lines, options
    mid = unique_message_id("macros")
    passage = via_sendmail(sm, message(message_id=mid), sender="news@sender.example",
                           rcpt="someone@macros.example")
    rec = milter.wait_record(message_record(header_message_id=mid))
    assert rec.get("queue_id") == passage.queue_id, rec                     # i
    assert as_list(rec.get("recipients")) == ["someone@macros.example"], rec  # {rcpt_addr}
    assert as_list(rec.get("tags")) == ["listener-MTA"], rec                 # {daemon_name}
    assert as_json(rec.get("metadata")) == {"client": "loopback"}, rec       # {client_addr}
    assert rec.get("campaign") == "sender-rule", rec                         # {mail_addr}
    assert "customer" not in rec, rec


@pytest.mark.parametrize("macro_lines", [True, False], ids=["deploy-macro-lines", "no-macro-lines"])
def test_smtp_auth_name_reaches_the_milter_as_customer(e2e, milters, macro_lines):
    why = sasl.missing_reason()
    if why:
        pytest.skip(why)
    milter = milters()
    users = {"acme": "acme-secret", "other": "other-secret"}
    sm = start_sendmail(e2e, milter=milter.socket, sasl_users=users, milter_macros=macro_lines)
    bad = sm.send(SENDER, ["x@macros.example"], message(), auth=("acme", "wrong"))
    assert bad.stage == "auth" and bad.code == 535, bad
    for user, campaign in (("acme", "acme-campaign"), ("other", None)):
        mid = unique_message_id(f"auth-{user}")
        passage = via_sendmail(sm, message(message_id=mid), rcpt="x@macros.example",
                               auth=(user, users[user]))
        rec = milter.wait_record(message_record(header_message_id=mid))
        assert rec.get("customer") == user, rec
        assert rec.get("campaign") == campaign, rec
        assert rec.get("queue_id") == passage.queue_id, rec
    log = sm.sendmail.maillog()
    assert "AUTH=server, relay=localhost [127.0.0.1], authid=acme, mech=PLAIN" in log, log


# ---- split mode: a direct client --------------------------------------------------------------

def test_split_direct_client_gets_250_then_452_4_5_3(e2e, milters):
    milter = milters("split")
    sm = start_sendmail(e2e, milter=milter.socket)
    mid = unique_message_id("split-direct")
    result, got = sm.relay(SENDER, RCPTS, message(message_id=mid))
    assert result.ok, result
    first, *rest = RCPTS
    assert result.rcpt_replies[first][0] == 250, result
    for rcpt in rest:
        code, text = result.rcpt_replies[rcpt]
        assert (code, text) == (452, "4.5.3 Too many recipients"), (rcpt, code, text)
    assert [m.recipients for m in got] == [[first]], got
    rec = milter.wait_record(message_record(header_message_id=mid))
    assert as_list(rec.get("recipients")) == [first] and rec.get("deferred_recipients") == "2", rec
    texts = [line.text for line in sm.sendmail.log_lines(result.queue_id)]
    for rcpt in rest:
        assert f"Milter: to=<{rcpt}>, reject=452 4.5.3 Too many recipients" in texts, texts
    assert any(t.startswith(f"from=<{SENDER}>, ") and "nrcpts=1," in t for t in texts), texts


def test_split_client_resending_in_the_same_session_gets_everyone_through(e2e, milters):
    milter = milters("split")
    sm = start_sendmail(e2e, milter=milter.socket)
    mid = unique_message_id("split-resend")
    msg = message(message_id=mid)
    pending, rounds, qids = list(RCPTS), [], []
    smtp = smtplib.SMTP(LOOPBACK, sm.port, local_hostname="client.e2e.test", timeout=60)
    try:
        smtp.ehlo()
        for _ in range(len(RCPTS) + 1):
            if not pending:
                break
            assert smtp.mail(SENDER)[0] == 250
            replies = {r: smtp.rcpt(r)[0] for r in pending}
            accepted = [r for r, c in replies.items() if c == 250]
            assert len(accepted) == 1 and set(replies.values()) <= {250, 452}, replies
            code, text = smtp.data(msg)
            assert code == 250, text
            qids.append(text.decode().split()[1])
            rounds.append(accepted[0])
            pending = [r for r, c in replies.items() if c == 452]
    finally:
        smtp.quit()
    assert rounds == RCPTS and not pending
    for qid in qids:
        sm.sendmail.wait_sent(qid)
    got = sm.sink.messages()
    assert sorted(r for m in got for r in m.recipients) == sorted(RCPTS), got
    records = [r for r in milter.records() if r.get("header_message_id") == mid]
    assert [int(r.get("deferred_recipients", 0)) for r in records] == [2, 1, 0], records
    assert [r["queue_id"] for r in records] == qids, (records, qids)


def test_shared_mode_accepts_all_recipients_in_one_transaction(e2e, milters):
    milter = milters("shared")
    sm = start_sendmail(e2e, milter=milter.socket)
    mid = unique_message_id("shared")
    result, got = sm.relay(SENDER, RCPTS, message(message_id=mid))
    assert result.ok and all(c == 250 for c, _ in result.rcpt_replies.values()), result
    assert sorted(r for m in got for r in m.recipients) == sorted(RCPTS), got
    rec = milter.wait_record(message_record(header_message_id=mid))
    assert sorted(as_list(rec.get("recipients"))) == sorted(RCPTS), rec
    assert "deferred_recipients" not in rec, rec


# ---- split mode: Sendmail as the SENDING MTA ---------------------------------------------------

def _sending_sendmail(e2e, port_b: int, **kwargs) -> SendmailInstance:
    """Sendmail "A": no milter, relays everything to ``port_b`` (Postfix B with the milter).
    Its host name differs from B's, or B's greeting would look like a mail loop to A."""
    a = SendmailInstance(e2e.path(e2e.unique("sendmail-a")), sink_port=port_b,
                         hostname=SENDER_HOSTNAME, **kwargs)
    e2e.items.append(a)
    return a.start()


def _syslog_time(line: str) -> datetime:
    return datetime.strptime(line[:15], "%b %d %H:%M:%S")


def _disconnects(maillog: str) -> list[str]:
    return [line.split(": disconnect from ", 1)[1] for line in maillog.splitlines()
            if "postfix/smtpd" in line and ": disconnect from " in line
            and "commands=0/0" not in line]


@pytest.mark.usefixtures("needs_postfix")
def test_sending_sendmail_queues_452d_recipients_and_sends_one_per_queue_run(e2e, milters):
    """Sendmail with default mailer settings in front of a split-mode milter: it does NOT
    retry the 452'd recipients on the same connection; it marks them Deferred and sends
    them at its next queue runs, one recipient per run (here -q5s; Debian's default is
    -q10m, many sites run -q30m or -q1h)."""
    milter = milters("split")
    b = e2e.postfix(milter=milter.socket)
    a = _sending_sendmail(e2e, b.port, queue_interval="5s")
    mid = unique_message_id("sm-sender-default")
    result = a.send(SENDER, RCPTS, message(message_id=mid))
    assert result.ok, result

    deliveries = b.wait_deliveries(3, timeout=90)
    assert sorted(d.recipient for d in deliveries) == sorted(RCPTS)
    a.wait_sent(result.queue_id, 3)
    statuses = a.deliveries(result.queue_id)
    deferred = [s for s in statuses if "stat=Deferred" in s.text]
    sent = [s for s in statuses if "stat=Sent" in s.text]
    assert len(deferred) == 3 and len(sent) == 3, [s.line for s in statuses]   # 2, then 1
    assert all("dsn=4.5.3, reply=452 4.5.3 Too many recipients, "
               "stat=Deferred: 452 4.5.3 Too many recipients" in s.text for s in deferred), deferred
    times = [_syslog_time(s.line) for s in sent]
    assert all((t2 - t1).total_seconds() >= 4 for t1, t2 in zip(times, times[1:])), \
        [s.line for s in sent]
    # B: three connections, one transaction each; no second MAIL on the same connection
    sessions = _disconnects(b.maillog())
    assert len(sessions) == 3 and all(" mail=1 " in s for s in sessions), sessions
    assert [s.split(" rcpt=")[1].split()[0] for s in sessions] == ["1/3", "1/2", "1"], sessions
    assert len(milter_rejects(b.maillog())) == 3
    records = [r for r in milter.records() if r.get("header_message_id") == mid]
    assert [int(r.get("deferred_recipients", 0)) for r in records] == [2, 1, 0], records
    wait_until(lambda: a.queue_files() == [], 10, what="A's queue to empty")


@pytest.mark.usefixtures("needs_postfix")
def test_sending_sendmail_with_maxrcpts_1_sends_one_transaction_per_recipient(e2e, milters):
    """deploy/sendmail/split-relay.mc (SMTP_MAILER_MAXRCPTS 1: r=1 on the smtp and relay
    mailers) on the sending Sendmail: three transactions on one connection, no 452."""
    milter = milters("split")
    b = e2e.postfix(milter=milter.socket)
    a = _sending_sendmail(e2e, b.port, mc_extra=split_relay_mc_lines())
    relay_mailer = a.cf_path.read_text().split("\nMrelay,", 1)[1].split("\n\n")[0]
    assert re.search(r"\sr=1,", relay_mailer), relay_mailer
    mid = unique_message_id("sm-sender-maxrcpts")
    result = a.send(SENDER, RCPTS, message(message_id=mid))
    assert result.ok, result
    deliveries = b.wait_deliveries(3, timeout=30)
    assert sorted(d.recipient for d in deliveries) == sorted(RCPTS)
    a.wait_sent(result.queue_id, 3)
    assert not any("stat=Deferred" in s.text for s in a.deliveries(result.queue_id))
    sessions = _disconnects(b.maillog())
    assert sessions == [s for s in sessions if " mail=3 rcpt=3 data=3 " in s] and len(sessions) == 1, \
        sessions
    assert milter_rejects(b.maillog()) == []
    records = [r for r in milter.records() if r.get("header_message_id") == mid]
    assert len(records) == 3 and not any("deferred_recipients" in r for r in records), records


# ---- the shipped .mc lines in the .cf ------------------------------------------------------------

def test_cf_has_the_deploy_filter_line(e2e, milters):
    milter = milters()
    sm = start_sendmail(e2e, milter=milter.socket)
    cf = sm.sendmail.cf_path.read_text()
    assert cf_filters(cf)["tracking"] == {"S": f"local:{milter.socket.path}", "F": "T",
                                          "T": "C:10s;S:10s;R:10s;E:30s"}
    assert cf_options(cf)["InputMailFilters"] == "tracking"

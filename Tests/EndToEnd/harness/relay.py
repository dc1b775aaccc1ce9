"""Two Postfix instances in a row: a sending Postfix ("A") that relays everything
to the Postfix running the milter ("B"), as in docs/recipient-modes.md.

``sender_settings(port_b, setup)`` gives A's main.cf/master.cf additions for one
of the set-ups the docs describe:

- ``"transport"``: a dedicated smtp transport ``trackrelay`` (master.cf) with
  ``trackrelay_destination_recipient_limit = 1`` (main.cf): the recommended
  set-up, one recipient per transaction on that transport only;
- ``"recipient_limit"``: the plain ``smtp`` transport with
  ``smtp_destination_recipient_limit = 1`` (every smtp delivery of A);
- ``"default"``: Postfix's defaults (50 recipients per transaction), so a
  split-mode milter answers ``452 4.5.3`` to all but the first.

``fast_retry=True`` lowers A's ``minimal_backoff_time``/``queue_run_delay`` to
5 s and ``maximal_backoff_time`` to 10 s (the defaults are 300 s, 300 s, 4000 s),
so deferred recipients come back within seconds.

``delivery_attempts(maillog)`` parses Postfix's per-recipient delivery lines
(``QID: to=<r>, relay=..., dsn=..., status=deferred (...)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .net import LOOPBACK

SETUPS = ("transport", "recipient_limit", "default")

SENDER_HOSTNAME = "sender.test.localdomain"   # must differ from B's, or A sees a mail loop

FAST_RETRY = {
    "minimal_backoff_time": "5s",
    "maximal_backoff_time": "10s",
    "queue_run_delay": "5s",
}

# The master.cf line of the dedicated transport (see deploy/postfix/master.cf.split-relay).
TRACKRELAY_MASTER_CF = "trackrelay unix - - n - 20 smtp\n  -o syslog_name=postfix/trackrelay\n"

_TRANSPORT_KEYS = ("default_transport", "relay_transport", "local_transport", "virtual_transport")


def sender_settings(port_b: int, setup: str = "transport", *, fast_retry: bool = False,
                    host: str = LOOPBACK) -> tuple[dict, str]:
    """(main.cf settings, extra master.cf text) for the sending instance A."""
    if setup not in SETUPS:
        raise ValueError(f"setup must be one of {SETUPS}, not {setup!r}")
    transport = "trackrelay" if setup == "transport" else "smtp"
    main = {k: transport for k in _TRANSPORT_KEYS}
    main["relayhost"] = f"[{host}]:{port_b}"
    master = ""
    if setup == "transport":
        main["trackrelay_destination_recipient_limit"] = "1"
        master = TRACKRELAY_MASTER_CF
    elif setup == "recipient_limit":
        main["smtp_destination_recipient_limit"] = "1"
    if fast_retry:
        main.update(FAST_RETRY)
    return main, master


def start_relay_pair(res, milter_socket, setup: str = "transport", *, fast_retry: bool = False,
                     b_main_cf: dict | None = None):
    """Start B (smtpd + milter, file delivery) and A (relays all mail to B). Returns (a, b)."""
    b = res.postfix(milter=milter_socket, main_cf=b_main_cf)
    main, master = sender_settings(b.port, setup, fast_retry=fast_retry)
    a = res.postfix(main_cf=main, master_cf=master, hostname=SENDER_HOSTNAME)
    return a, b


@dataclass
class DeliveryAttempt:
    line: str
    time: str           # syslog time stamp, e.g. "Nov 25 15:48:54"
    service: str        # after "postfix/": "smtp", "trackrelay/smtp", "pipe", ...
    queue_id: str
    recipient: str
    relay: str
    dsn: str
    status: str         # sent, deferred, bounced
    text: str           # the parenthesised remainder


_ATTEMPT = re.compile(
    r"^(?P<time>\w{3} [ \d]\d \d\d:\d\d:\d\d) \S+ postfix/(?P<service>[\w/-]+)\[\d+\]: "
    r"(?P<qid>[0-9A-Za-z]+): to=<(?P<to>[^>]*)>, (?:orig_to=<[^>]*>, )?relay=(?P<relay>[^,]+), "
    r".*?dsn=(?P<dsn>[\d.]+), status=(?P<status>\w+) \((?P<text>.*)\)$")


def delivery_attempts(maillog: str, queue_id: str | None = None) -> list[DeliveryAttempt]:
    out = []
    for line in maillog.splitlines():
        m = _ATTEMPT.match(line)
        if not m or (queue_id is not None and m["qid"] != queue_id):
            continue
        out.append(DeliveryAttempt(line, m["time"], m["service"], m["qid"],
                                   m["to"], m["relay"], m["dsn"], m["status"], m["text"]))
    return out


def milter_rejects(maillog: str) -> list[str]:
    """smtpd's ``milter-reject: RCPT ...`` lines (B's side of a 452)."""
    return [line for line in maillog.splitlines() if "milter-reject:" in line]

"""Two Postfix instances in a row: a sending Postfix ("A") that relays everything
to the Postfix running the milter ("B"), as in docs/recipient-modes.md.

``sender_settings(port_b, setup)`` gives A's main.cf/master.cf additions for one
of the set-ups the docs describe, taken from the shipped snippets
``deploy/postfix/{main,master}.cf.split-relay`` (``deploy_snippet``), so the
tests run the very lines operators paste:

- ``"transport"`` (set-up A): a dedicated smtp transport ``trackrelay``
  (master.cf) with ``trackrelay_destination_recipient_limit = 1`` (main.cf):
  one recipient per transaction on that transport only;
- ``"recipient_limit"`` (set-up B): ``smtp_destination_recipient_limit = 1``
  (every smtp delivery of A);
- ``"default"``: only ``relayhost``; Postfix's defaults (50 recipients per
  transaction), so a split-mode milter answers ``452 4.5.3`` to all but the first.

``single_instance_settings`` is set-up C: one Postfix whose applications' port
has no milter and re-injects through ``trackrelay`` into a loopback smtpd with
the milter.

``fast_retry=True`` lowers A's ``minimal_backoff_time``/``queue_run_delay`` to
5 s and ``maximal_backoff_time`` to 10 s (the defaults are 300 s, 300 s, 4000 s),
so deferred recipients come back within seconds.

``delivery_attempts(maillog)`` parses Postfix's per-recipient delivery lines
(``QID: to=<r>, relay=..., dsn=..., status=deferred (...)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .net import LOOPBACK

SETUPS = ("transport", "recipient_limit", "default")

SENDER_HOSTNAME = "sender.test.localdomain"   # must differ from B's, or A sees a mail loop

FAST_RETRY = {
    "minimal_backoff_time": "5s",
    "maximal_backoff_time": "10s",
    "queue_run_delay": "5s",
}

# The operator-facing snippets; the tests run exactly their lines (placeholders replaced).
DEPLOY_DIR = Path(__file__).resolve().parents[3] / "deploy" / "postfix"
MAIN_CF_SNIPPETS = DEPLOY_DIR / "main.cf.split-relay"
MASTER_CF_SNIPPETS = DEPLOY_DIR / "master.cf.split-relay"
PLACEHOLDER_RELAY = "[tracking-mta.example.com]:25"
PLACEHOLDER_SOCKET = "unix:/run/tracking-milter/milter.sock"
PLACEHOLDER_LOOPBACK_PORT = "127.0.0.1:10026"

_SECTION = re.compile(r"^# === Set-ups? ([A-Z](?:, [A-Z])*):")
_MAIN_SETTING = re.compile(r"^([a-z][a-z0-9_]*) = (.*)$")
_MASTER_SERVICE = re.compile(r"^\S+\s+(?:unix|inet|fifo|pass|unix-dgram)\s")
_MASTER_OPTION = re.compile(r"^\s+-o\s")


def _snippet_lines(path: Path, letter: str, pasteable) -> list[str]:
    """The commented-out lines of set-up ``letter`` that ``pasteable`` accepts, uncommented."""
    out, active = [], False
    for line in path.read_text().splitlines():
        m = _SECTION.match(line)
        if m:
            active = letter in m.group(1).split(", ")
            continue
        if active and line.startswith("#") and pasteable(line[1:]):
            out.append(line[1:])
    return out


def deploy_snippet(letter: str, replacements: dict | None = None) -> tuple[dict, str]:
    """Set-up ``letter`` of deploy/postfix/{main,master}.cf.split-relay as
    (main.cf settings, master.cf text), with placeholders replaced."""
    def sub(text: str) -> str:
        for old, new in (replacements or {}).items():
            text = text.replace(old, new)
        return text
    main = {}
    for line in _snippet_lines(MAIN_CF_SNIPPETS, letter, _MAIN_SETTING.match):
        name, value = _MAIN_SETTING.match(line).groups()
        main[name] = sub(value)
    master = _snippet_lines(MASTER_CF_SNIPPETS, letter,
                            lambda t: _MASTER_SERVICE.match(t) or _MASTER_OPTION.match(t))
    if not main and not master:
        raise ValueError(f"no set-up {letter} in {DEPLOY_DIR}")
    return main, "".join(sub(line) + "\n" for line in master)


def sender_settings(port_b: int, setup: str = "transport", *, fast_retry: bool = False,
                    host: str = LOOPBACK) -> tuple[dict, str]:
    """(main.cf settings, extra master.cf text) for the sending instance A."""
    if setup not in SETUPS:
        raise ValueError(f"setup must be one of {SETUPS}, not {setup!r}")
    relay = f"[{host}]:{port_b}"
    # Postfix's own defaults (the harness delivers to files by default).
    main = {"default_transport": "smtp", "relay_transport": "relay"}
    master = ""
    if setup == "default":
        main["relayhost"] = relay
    else:
        snippet, master = deploy_snippet("A" if setup == "transport" else "B",
                                         {PLACEHOLDER_RELAY: relay})
        main.update(snippet)
    if fast_retry:
        main.update(FAST_RETRY)
    return main, master


def single_instance_settings(milter_socket, port: int) -> tuple[dict, str]:
    """Set-up C: one Postfix; content_filter via trackrelay to a loopback smtpd on
    ``port`` that runs the milter (``milter_socket``: a SocketSpec)."""
    return deploy_snippet("C", {PLACEHOLDER_SOCKET: milter_socket.postfix,
                                PLACEHOLDER_LOOPBACK_PORT: f"{LOOPBACK}:{port}",
                                "[127.0.0.1]:10026": f"[{LOOPBACK}]:{port}"})


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

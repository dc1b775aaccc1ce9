#!/usr/bin/env python3
"""Postfix throughput with tracking on: the product as it is used, measured in one run.

Every set-up runs side by side for the whole run, and the rounds alternate between them,
so each ratio compares figures taken minutes apart on the same machine:

- Postfix alone (delivering to discard(8));
- Postfix + passthrough-milter (the Milter library doing nothing: libmilter's floor);
- Postfix + tracking-milter, the message's X-MSYS-API turning tracking off;
- Postfix + tracking-milter, the same message with open and click tracking on.

Messages (made here, deterministic, see ``newsletter``): the 7.8 KB newsletter of issue #11
(multipart/alternative: a text part and a quoted-printable HTML part with 21 links), a 50 KB
HTML newsletter with 150 links, and a 1 KB plain-text message. Sessions: one message per
SMTP session (smtp-source's default) and many (``-d``: the sessions stay open). Sockets:
unix, and TCP for the 7.8 KB newsletter.

Reported per case: the median msg/s over the rounds, its ratio to Postfix alone in the same
rounds, and the milter's CPU per message (user + system time of the milter process from
/proc/PID/stat over the measured rounds, divided by the messages sent). A check that
tracking really happened reads the milter's log lines: links tracked per message.

With ``--baseline DIR`` an older release build of tracking-milter runs beside the new one,
tracking off and on, in the same alternating rounds (old against new from one run).

Usage: Benchmarks/run-postfix-tracking [--messages 1000] [--parallel 10] [--rounds 3]
       [--only NAME-SUBSTRING] [--baseline DIR] [--spool]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "EndToEnd"))

from harness.programs import start_tracking  # noqa: E402
from harness.resources import Resources  # noqa: E402

SMTP_SOURCE = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

WORDS = ("update release notes team weekly digest product pricing customers feature launch "
         "webinar guide report survey event community partner offer account security").split()


def api_header(tracking: bool) -> str:
    return json.dumps({
        "campaign_id": "bench-newsletter-2026-12",
        "metadata": {"list": "weekly", "segment": "b"},
        "tags": ["newsletter", "bench"],
        "options": {"open_tracking": tracking, "click_tracking": tracking},
    }, separators=(",", ":"))


def link(i: int) -> str:
    return (f"https://www.example-shop.com/{WORDS[i % len(WORDS)]}/{WORDS[(i * 7) % len(WORDS)]}"
            f"-{1000 + i}?utm_source=newsletter&utm_medium=email&utm_campaign=weekly")


def paragraph(i: int, words: int) -> str:
    return " ".join(WORDS[(i * 3 + k) % len(WORDS)] for k in range(words)).capitalize() + "."


def html_body(links: int, filler_words: int) -> str:
    rows = []
    for i in range(links):
        rows.append(
            f'<tr><td class="p">{paragraph(i, filler_words)} <a href="{link(i)}">Read more</a></td></tr>')
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Weekly digest</title></head>'
            '<body style="margin:0;padding:0"><table width="100%" cellpadding="0" cellspacing="0">\n'
            + "\n".join(rows) + "\n</table></body></html>\n")


def text_body(links: int, filler_words: int) -> str:
    return "\n\n".join(f"{paragraph(i, filler_words)}\n{link(i)}" for i in range(links)) + "\n"


def message(kind: str, tracking: bool) -> bytes:
    m = EmailMessage()
    m["From"] = "Example Shop <news@example-shop.com>"
    m["To"] = "rcpt@example.com"
    m["Subject"] = "Weekly digest"
    m["Message-ID"] = "<bench@example-shop.com>"
    m["X-MSYS-API"] = api_header(tracking)
    if kind == "newsletter":          # ≈7.8 KB, 21 HTML links + 20 text links
        m.set_content(text_body(20, 2))
        m.add_alternative(html_body(21, 3), subtype="html", cte="quoted-printable")
    elif kind == "newsletter-50k":    # ≈50 KB HTML, 150 links
        m.set_content(html_body(150, 19), subtype="html", cte="quoted-printable")
    else:                             # ≈1 KB plain text, one link
        m.set_content(paragraph(1, 60) + "\n" + link(1) + "\n")
    # Unfolded headers, as senders write X-MSYS-API (folding would make Python use encoded words).
    return m.as_bytes(policy=SMTP.clone(max_line_length=998))


@dataclass
class Case:
    message: str
    socket: str
    many: bool

    @property
    def name(self) -> str:
        return f"{self.message}, {self.socket}, {'many' if self.many else 'one'} per session"


@dataclass
class Setup:
    label: str
    port: int
    pid: int | None
    tracking: bool
    rates: list = field(default_factory=list)
    ticks: int = 0
    sent: int = 0


def cpu_ticks(pid: int | None) -> int:
    if pid is None:
        return 0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14, 15)


def send(port: int, path: Path, messages: int, parallel: int, many: bool) -> float:
    argv = [SMTP_SOURCE, "-s", str(parallel), "-m", str(messages), "-F", str(path),
            "-f", "news@example-shop.com", "-t", "rcpt@example.com"]
    if many:
        argv.append("-d")
    start = time.monotonic()
    subprocess.run(argv + [f"127.0.0.1:{port}"], check=True, timeout=900)
    return messages / (time.monotonic() - start)


def tracked_links(records: list[dict]) -> list[int]:
    return [int(r["links_tracked"]) + int(r.get("pixels", 0)) for r in records
            if r.get("outcome") == "rewritten" and "links_tracked" in r]


def run_case(case: Case, args, res: Resources) -> list[Setup]:
    files = {}
    for tracking in (False, True):
        p = res.path(f"{case.message}-{'on' if tracking else 'off'}.eml")
        Path(p).write_bytes(message(case.message, tracking))
        files[tracking] = Path(p)
    alone = res.postfix(discard=True)
    pt_socket = res.socket(case.socket, "passthrough")
    pt = res.milter([str(args.build / "passthrough-milter"), "--socket", pt_socket.libmilter], pt_socket,
                    name="passthrough")
    overrides = {"milter": {"recipient_mode": "split"}}
    if args.spool:  # as the bundled configuration runs: every tracked message's injection spooled
        overrides["events"] = {"spool": {"dir": str(res.path("spool"))}}
    tm = start_tracking(res, args.build / "tracking-milter", kind=case.socket, overrides=overrides)
    with_pt = res.postfix(milter=pt.socket, discard=True)
    with_tm = res.postfix(milter=tm.socket, discard=True)
    setups = [Setup("Postfix alone", alone.port, None, False),
              Setup("passthrough-milter", with_pt.port, pt.pid, False),
              Setup("tracking-milter, tracking off", with_tm.port, tm.pid, False),
              Setup("tracking-milter, tracking on", with_tm.port, tm.pid, True)]
    if args.baseline:
        old = start_tracking(res, args.baseline / "tracking-milter", kind=case.socket,
                             overrides={"milter": {"recipient_mode": "split"}})
        with_old = res.postfix(milter=old.socket, discard=True)
        setups += [Setup("baseline build, tracking off", with_old.port, old.pid, False),
                   Setup("baseline build, tracking on", with_old.port, old.pid, True)]
    for s in setups:  # warm up every path once
        send(s.port, files[s.tracking], min(100, args.messages), args.parallel, case.many)
    for _ in range(args.rounds):
        for s in setups:
            before = cpu_ticks(s.pid)
            s.rates.append(send(s.port, files[s.tracking], args.messages, args.parallel, case.many))
            s.ticks += cpu_ticks(s.pid) - before
            s.sent += args.messages
    time.sleep(0.5)
    links = tracked_links(tm.records())
    print(f"  tracking-milter log: {len(links)} messages rewritten, links + pixels per message "
          f"{statistics.median(links) if links else 0}")
    return setups


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=1000)
    p.add_argument("--parallel", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", default="", help="run only the cases whose name contains this")
    p.add_argument("--build", type=Path, default=REPO / ".build" / "release", help="folder with the release binaries")
    p.add_argument("--baseline", type=Path, help="folder with an older release tracking-milter to compare in the same run")
    p.add_argument("--spool", action="store_true", help="the new build spools its injection events (events.spool), as the bundled config does")
    args = p.parse_args()
    for name in ("tracking-milter", "passthrough-milter"):
        if not (args.build / name).is_file():
            print(f"{args.build / name} is missing: swift build -c release", file=sys.stderr)
            return 2
    cases = [Case("newsletter", "unix", False), Case("newsletter", "unix", True),
             Case("newsletter", "inet", False), Case("newsletter", "inet", True),
             Case("newsletter-50k", "unix", False), Case("newsletter-50k", "unix", True),
             Case("plain-1k", "unix", False), Case("plain-1k", "unix", True)]
    rows = []
    for case in cases:
        if args.only not in case.name:
            continue
        print(f"{case.name} ({len(message(case.message, True))} bytes)", flush=True)
        res = Resources(label="bench-tracking")
        try:
            setups = run_case(case, args, res)
        finally:
            res.close()
            res.remove_files()
        base = statistics.median(setups[0].rates)
        for s in setups:
            rate = statistics.median(s.rates)
            cpu = (s.ticks / CLOCK_TICKS * 1000 / s.sent) if s.pid else None
            rows.append((case.name, s.label, rate, rate / base, cpu, min(s.rates), max(s.rates)))
            print(f"  {s.label}: {rate:.0f} msg/s ({min(s.rates):.0f}–{max(s.rates):.0f}), "
                  f"{rate / base:.2f} of Postfix alone"
                  + (f", milter CPU {cpu:.2f} ms/msg" if cpu is not None else ""), flush=True)
    print()
    print(f"{args.messages} messages per round, {args.parallel} sessions in parallel, "
          f"median of {args.rounds} alternating rounds")
    print("| case | set-up | msg/s (min–max) | vs Postfix alone | milter CPU ms/msg |")
    print("|---|---|---:|---:|---:|")
    for name, label, rate, ratio, cpu, lo, hi in rows:
        print(f"| {name} | {label} | {rate:.0f} ({lo:.0f}–{hi:.0f}) | {ratio:.2f} | "
              + (f"{cpu:.2f}" if cpu is not None else "–") + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

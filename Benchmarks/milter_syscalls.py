#!/usr/bin/env python3
"""What libmilter costs per message: protocol commands and system calls, per set-up.

Runs each milter under ``strace -f`` behind a private Postfix and sends MESSAGES messages,
one per SMTP session and one session at a time (so that per-message figures do not depend
on how sessions overlap), then prints per message:

- the milter protocol commands the MTA sent, by command letter (read from the milter's
  ``read(2)`` calls: libmilter reads a 4-byte length, then the command byte and its data);
- the milter's replies and modifications (its ``write(2)`` calls that start a packet);
- the system calls of the whole milter process, from ``strace -c``.

Set-ups: passthrough-milter (the Milter library negotiating every step away), and
tracking-milter with the message's X-MSYS-API turning tracking off and on. The message is
the 7.8 KB newsletter of ``postfix_tracking.py``.

Usage: Benchmarks/run-milter-syscalls [--messages 200]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "EndToEnd"))
sys.path.insert(0, str(REPO / "Benchmarks"))

from harness.programs import make_key_file  # noqa: E402
from harness.resources import Resources  # noqa: E402
from harness.trackingconfig import tracking_config, write_yaml  # noqa: E402
from postfix_tracking import message, send  # noqa: E402

STRACE = shutil.which("strace") or "/usr/bin/strace"

# Milter protocol command letters (libmilter's mfdef.h).
COMMANDS = {**{"D" + k: f"macros for {v}" for k, v in
               {"C": "connect", "H": "helo", "M": "mail", "R": "rcpt", "T": "data", "L": "header",
                "N": "end of headers", "E": "end of body", "B": "body", "U": "unknown"}.items()},
            "A": "abort", "B": "body", "C": "connect", "D": "macro", "E": "end of body", "H": "helo",
            "L": "header", "M": "mail from", "N": "end of headers", "O": "option negotiation",
            "Q": "quit", "R": "rcpt to", "T": "data", "U": "unknown", "K": "quit, new connection"}
REPLIES = {"a": "accept", "c": "continue", "d": "reject", "t": "tempfail", "y": "reply code",
           "h": "add header", "m": "change header", "i": "insert header", "b": "replace body",
           "+": "add rcpt", "-": "delete rcpt", "e": "change from", "p": "progress", "O": "negotiate",
           "s": "skip", "q": "quarantine", "r": "reject"}

READ = re.compile(r'^(\d+)\s+read\((\d+), "((?:\\x[0-9a-f]{2})*)"(?:\.\.\.)?, (\d+)\)\s+= (\d+)')
WRITE = re.compile(r'^(\d+)\s+(?:write|writev)\((\d+), (?:\[\{iov_base=)?"((?:\\x[0-9a-f]{2})*)')


def first_bytes(hexes: str) -> bytes:
    return bytes(int(h, 16) for h in re.findall(r"\\x([0-9a-f]{2})", hexes))


def count_packets(trace: Path) -> tuple[collections.Counter, collections.Counter]:
    """Command letters from libmilter's 5-byte header reads (length, command), and reply
    letters from the packets the milter writes on the same descriptors."""
    commands: collections.Counter = collections.Counter()
    replies: collections.Counter = collections.Counter()
    sockets: set[str] = set()
    pending_macro: dict[str, bool] = {}
    for line in trace.read_text(errors="replace").splitlines():
        if m := READ.match(line):
            fd, data, asked, got = m.group(2), first_bytes(m.group(3)), int(m.group(4)), int(m.group(5))
            if asked == 5 and got == 5 and len(data) == 5:
                pending_macro[fd] = data[4] == ord("D")
                if not pending_macro[fd]:
                    commands[chr(data[4])] += 1
                sockets.add(fd)
            elif pending_macro.pop(fd, False) and data:
                commands["D" + chr(data[0])] += 1  # a macro packet names the stage it is for
        elif m := WRITE.match(line):
            data = first_bytes(m.group(3))
            if m.group(2) in sockets and len(data) >= 5:
                replies[chr(data[4])] += 1
    return commands, replies


def summary_counts(path: Path) -> dict[str, int]:
    """``strace -c``'s table: % time, seconds, usecs/call, calls, [errors], syscall."""
    out = {}
    for line in path.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[-1].isidentifier() and parts[3].isdigit():
            out[parts[-1]] = int(parts[3])
    return out


def stop_traced(m) -> None:
    """SIGTERM to the traced milter (strace's child), so strace writes its summary and exits."""
    children = []
    for task in Path(f"/proc/{m.pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    for child in children:
        try:
            os.kill(child, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        m.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    m.stop()


def run(label: str, argv_for, tracking: bool, args, res: Resources) -> None:
    eml = Path(res.path(f"{label.replace(' ', '-')}.eml"))
    eml.write_bytes(message("newsletter", tracking))
    results = {}
    for mode in ("packets", "summary"):
        socket = res.socket("unix", "m")
        out = Path(res.path(f"strace-{mode}-{res.unique('s')}.txt"))
        strace = [STRACE, "-f", "-qq", "-o", str(out)]
        strace += ["-c"] if mode == "summary" else ["-e", "trace=read,write,writev", "-xx", "-s", "8"]
        m = res.milter(strace + argv_for(socket), socket, name=label.replace(" ", "-"))
        pf = res.postfix(milter=m.socket, discard=True)
        send(pf.port, eml, args.messages, 1, False)
        stop_traced(m)
        results[mode] = out
    commands, replies = count_packets(results["packets"])
    calls = summary_counts(results["summary"])
    n = args.messages
    print(f"## {label}")
    print("commands from the MTA per message: " + ", ".join(
        f"{COMMANDS.get(k, k)} {v / n:.1f}" for k, v in sorted(commands.items(), key=lambda kv: -kv[1])))
    print(f"  total {sum(commands.values()) / n:.1f}")
    print("packets from the milter per message: " + ", ".join(
        f"{REPLIES.get(k, k)} {v / n:.1f}" for k, v in sorted(replies.items(), key=lambda kv: -kv[1])))
    print(f"  total {sum(replies.values()) / n:.1f}")
    top = sorted(calls.items(), key=lambda kv: -kv[1])
    total = sum(v for k, v in top if k != "total")
    print("system calls per message: " + ", ".join(f"{k} {v / n:.1f}" for k, v in top[:10] if k != "total")
          + f"; all {total / n:.1f}")
    print()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=200)
    p.add_argument("--build", type=Path, default=REPO / ".build" / "release")
    args = p.parse_args()
    res = Resources(label="milter-syscalls")
    try:
        keys = make_key_file(res, args.build / "tracking-milter")

        def passthrough(socket):
            return [str(args.build / "passthrough-milter"), "--socket", socket.libmilter]

        def tracking(socket):
            cfg = tracking_config(socket, {"milter": {"recipient_mode": "split"}, "keys": {"file": str(keys)}})
            path = write_yaml(res.path(f"{res.unique('cfg')}.yaml"), cfg)
            return [str(args.build / "tracking-milter"), "milter", "--config", str(path)]

        run("passthrough-milter", passthrough, False, args, res)
        run("tracking-milter, tracking off", tracking, False, args, res)
        run("tracking-milter, tracking on", tracking, True, args, res)
    finally:
        res.close()
        res.remove_files()
    return 0


if __name__ == "__main__":
    sys.exit(main())

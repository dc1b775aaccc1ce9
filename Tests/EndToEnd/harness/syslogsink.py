"""A minimal syslog receiver: ``python3 syslogsink.py SOCKET LOGFILE``.

Sendmail logs only through syslog(3), and these machines have no syslog daemon.
The Sendmail harness runs Sendmail in its own mount namespace where ``/dev/log``
is a symlink to SOCKET (see ``sendmail.py``), and this process, started and
stopped by PID, appends every datagram it receives to LOGFILE as one line:
the ``<PRI>`` prefix is dropped, the rest (``Nov 25 16:09:55 sendmail[123]:
...``) is kept. It exits on SIGTERM/SIGINT, or after ``--max-seconds`` (a
safety bound; default 4 hours).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import time

_PRI = re.compile(rb"^<\d{1,3}>")


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print("usage: syslogsink.py SOCKET LOGFILE [--max-seconds N]", file=sys.stderr)
        return 2
    path, out = argv[1], argv[2]
    max_seconds = 4 * 3600.0
    if len(argv) >= 5 and argv[3] == "--max-seconds":
        max_seconds = float(argv[4])
    if os.path.lexists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)          # Sendmail's children may run as another user
    sock.settimeout(1.0)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    deadline = time.monotonic() + max_seconds
    try:
        with open(out, "ab", buffering=0) as f:
            while not stop and time.monotonic() < deadline:
                try:
                    data = sock.recv(65536)
                except socket.timeout:
                    continue
                except InterruptedError:
                    continue
                line = _PRI.sub(b"", data).rstrip(b"\0\r\n").replace(b"\n", b" ")
                f.write(line + b"\n")
    finally:
        sock.close()
        try:
            os.unlink(path)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

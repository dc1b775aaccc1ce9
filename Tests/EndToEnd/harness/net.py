"""Loopback helpers: free ports and bounded waits for sockets to accept."""

from __future__ import annotations

import os
import socket
import time

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def tcp_accepts(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def unix_accepts(path: str, timeout: float = 0.5) -> bool:
    if not os.path.exists(path):
        return False
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def wait_until(predicate, timeout: float, interval: float = 0.05, what: str = "condition",
               abort=None) -> None:
    """Poll ``predicate`` until it is true; bounded by time and by count.

    ``abort`` (optional) is polled too; when it returns a non-empty string the
    wait stops early with that message (e.g. "process exited with 1").
    """
    deadline = time.monotonic() + timeout
    max_polls = int(timeout / interval) + 2
    for _ in range(max_polls):
        if predicate():
            return
        if abort is not None:
            why = abort()
            if why:
                raise RuntimeError(f"gave up waiting for {what}: {why}")
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    if predicate():
        return
    raise TimeoutError(f"timed out after {timeout:.1f}s waiting for {what}")

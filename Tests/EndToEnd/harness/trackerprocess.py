"""Run the HTTP tracker for a test: ``with running_tracker(...) as proc:`` starts it, waits
until it listens, and stops it (SIGTERM, then SIGKILL) whatever the test did."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

from .net import tcp_accepts, wait_until


@contextlib.contextmanager
def running_tracker(binary: Path, config: Path, port: int, log: Path, wrapper: list[str] | None = None):
    proc = subprocess.Popen([*(wrapper or []), str(binary), "tracker", "--config", str(config)],
                            stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    try:
        wait_until(lambda: tcp_accepts(port), timeout=30, what="the tracker to listen",
                   abort=lambda: "" if proc.poll() is None else f"tracker exited with {proc.returncode}")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

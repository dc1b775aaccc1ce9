"""Keep a milter running the way systemd's ``Restart=always`` does, for fault tests.

``MilterSupervisor`` starts a ``MilterProcess`` and watches it from a thread of
its own: whenever the process exits (killed, crashed, stopped by a signal), it
waits ``restart_delay`` seconds (a ``(low, high)`` range drawn from the caller's
seeded RNG, like ``RestartSec=``) and starts it again with the same command line
and the current environment (``set_env`` changes it for the next start, e.g. to
drop a fault hook). Every run appends to one stderr log, so ``records()`` sees
the per-message lines of all runs.

Bounded: at most ``max_restarts`` restarts, each start waits at most
``MilterProcess.START_TIMEOUT`` for the socket, and ``stop()`` ends the watcher
before stopping the process, so nothing restarts after the test.

``runs`` lists every process started (pid, start and exit times, exit code);
``kill(sig)`` signals the running process and returns its pid (or None when it
is between runs).
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .milter import MilterExited, MilterProcess, StderrLog
from .net import wait_until
from .sockspec import SocketSpec


@dataclass
class Run:
    pid: int
    started: float                 # time.monotonic() when the socket accepted
    ended: float | None = None
    returncode: int | None = None  # negative: killed by that signal
    env: dict | None = None


class MilterSupervisor(StderrLog):
    POLL = 0.02                    # seconds between checks of the running process

    def __init__(self, argv: list[str], socket: SocketSpec, log_dir, *, name: str = "supervised",
                 env: dict | None = None, log_format: str | None = "logfmt",
                 restart_delay: tuple[float, float] = (0.5, 1.0), rng: random.Random | None = None,
                 max_restarts: int = 100):
        self.argv = [str(a) for a in argv]
        self.socket = socket
        self.log_dir = log_dir
        self.name = name
        self.env = dict(env or {})
        self.log_format = log_format
        self.restart_delay = restart_delay
        self.rng = rng or random.Random(0)
        self.max_restarts = max_restarts
        self.runs: list[Run] = []
        self.start_failures: list[str] = []
        self.current: MilterProcess | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- life cycle ----------------------------------------------------------

    def start(self) -> "MilterSupervisor":
        self._spawn()
        if self.current is None:
            raise MilterExited(f"{self.name} did not start: {self.start_failures[-1]}")
        self._thread = threading.Thread(target=self._watch, name=f"supervise-{self.name}", daemon=True)
        self._thread.start()
        return self

    def _spawn(self) -> None:
        p = MilterProcess(self.argv, self.socket, self.log_dir, name=self.name, env=self.env,
                          log_format=self.log_format)
        try:
            p.start()
        except MilterExited as e:
            self.start_failures.append(str(e))
            return
        with self._lock:
            self.current = p
            self.runs.append(Run(p.pid, time.monotonic(), env=dict(self.env)))

    def _watch(self) -> None:
        restarts = 0
        while not self._stopping.is_set():
            p = self.current
            if p is not None and p.proc.poll() is None:
                self._stopping.wait(self.POLL)
                continue
            if p is not None:
                with self._lock:
                    run = self.runs[-1]
                    run.ended, run.returncode = time.monotonic(), p.proc.returncode
                    self.current = None
            if restarts >= self.max_restarts:
                return
            if self._stopping.wait(self.rng.uniform(*self.restart_delay)):
                return
            restarts += 1
            self._spawn()

    def stop(self) -> None:
        """Stop watching, then stop the running process (SIGTERM, bounded)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=MilterProcess.START_TIMEOUT + 5)
        p = self.current
        if p is not None:
            p.stop()
            with self._lock:
                if self.runs and self.runs[-1].ended is None:
                    self.runs[-1].ended, self.runs[-1].returncode = time.monotonic(), p.returncode

    # ---- control -------------------------------------------------------------

    def set_env(self, env: dict) -> None:
        """The environment (on top of os.environ) for the next start."""
        self.env = dict(env)

    def unset_env(self, name: str) -> None:
        """Drop one variable from the environment of the next start."""
        self.env = {k: v for k, v in self.env.items() if k != name}

    def kill(self, sig: int = signal.SIGKILL) -> int | None:
        """Send ``sig`` to the running milter; its pid, or None when none is running."""
        with self._lock:
            p = self.current
            if p is None or p.proc.poll() is not None:
                return None
            try:
                os.kill(p.pid, sig)
            except ProcessLookupError:
                return None
            return p.pid

    def up_for(self) -> float:
        """Seconds the running milter has been accepting connections (0 when none runs)."""
        with self._lock:
            if self.current is None or not self.runs or self.runs[-1].ended is not None:
                return 0.0
            return time.monotonic() - self.runs[-1].started

    def alive(self) -> bool:
        p = self.current
        return p is not None and p.alive()

    @property
    def pid(self) -> int | None:
        p = self.current
        return p.pid if p is not None and p.alive() else None

    def wait_restarted(self, after_pid: int | None, timeout: float = 30.0) -> int:
        """Wait until a milter other than ``after_pid`` accepts connections; its pid."""
        def fresh():      # current is set only once the new process's socket accepts
            pid = self.pid
            return pid is not None and pid != after_pid
        wait_until(fresh, timeout, interval=0.05, what=f"{self.name} restarted after pid {after_pid}")
        return self.pid

    def wait_exit(self, pid: int, timeout: float) -> Run:
        """Wait until the run with ``pid`` has ended (the watcher saw the exit)."""
        def ended():
            return any(r.pid == pid and r.ended is not None for r in self.runs)
        wait_until(ended, timeout, interval=0.05, what=f"{self.name} pid {pid} to exit")
        return next(r for r in self.runs if r.pid == pid)

    # ---- logs ----------------------------------------------------------------

    @property
    def stderr_path(self) -> Path:
        return Path(self.log_dir) / f"{self.name}.stderr"     # MilterProcess's file for this name


    def diagnostics(self, tail: int = 4000) -> str:
        runs = ", ".join(f"{r.pid}:{r.returncode}" for r in self.runs)
        return (f"--- supervised milter {self.name} runs (pid:exit) [{runs}] argv {self.argv}\n"
                f"start failures: {self.start_failures[-2:]}\nstderr tail:\n{self.stderr()[-tail:]}")


def start_supervised_tracking(res, binary, overrides: dict | None = None, *, env: dict | None = None,
                              rng: random.Random | None = None,
                              restart_delay: tuple[float, float] = (0.5, 1.0),
                              max_restarts: int = 100) -> MilterSupervisor:
    """tracking-milter (config from ``trackingconfig`` plus ``overrides``, a fresh key
    file, a unix socket under ``res``) under a ``MilterSupervisor``, registered with
    ``res`` so it stops with the test. Like the shipped unit it runs with
    ``SWIFT_BACKTRACE=enable=no`` (a crash ends the process at once) unless ``env`` says
    otherwise."""
    from .programs import make_key_file
    from .trackingconfig import tracking_config, write_yaml

    socket = res.socket("unix", "supervised")
    cfg = tracking_config(socket, overrides)
    cfg.setdefault("keys", {"file": str(make_key_file(res, binary))})
    path = write_yaml(res.path(f"{res.unique('supervised')}.yaml"), cfg)
    sup = MilterSupervisor([str(binary), "milter", "--config", str(path)], socket, res.base,
                           name=res.unique("supervised"), env={"SWIFT_BACKTRACE": "enable=no", **(env or {})}, log_format=cfg["log"]["format"],
                           restart_delay=restart_delay, rng=rng, max_restarts=max_restarts)
    sup.config_path = path
    res.items.append(sup)
    sup.start()
    return sup

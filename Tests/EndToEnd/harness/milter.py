"""Run a milter process for a test: start, wait for its socket, stop by PID.

The process's stderr (where both milters log) goes to ``<log_dir>/<name>.stderr``
and stdout to ``<name>.stdout``; ``lines()`` / ``records()`` read the stderr log
back, ``records()`` parsed as logfmt or JSON lines (see ``logparse``).
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from .logparse import parse_lines
from .net import wait_until
from .sockspec import SocketSpec

# Re-exported so tests can `from harness.milter import parse_logfmt`.
from .logparse import parse_logfmt, parse_json_line  # noqa: F401


class MilterExited(RuntimeError):
    pass


class StderrLog:
    """Reading back a milter's log: ``stderr_path`` and ``log_format`` come from the class."""

    stderr_path: Path
    log_format: str | None

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def lines(self) -> list[str]:
        return self.stderr().splitlines()

    def records(self) -> list[dict]:
        return parse_lines(self.lines(), self.log_format)


class MilterProcess(StderrLog):
    START_TIMEOUT = 20.0
    TERM_TIMEOUT = 15.0     # libmilter needs about 4 s to stop after SIGTERM

    def __init__(self, argv: list[str], socket: SocketSpec, log_dir: str | os.PathLike, *,
                 name: str = "milter", env: dict | None = None, log_format: str | None = None,
                 umask: int | None = None):
        self.argv = [str(a) for a in argv]
        self.socket = socket
        self.name = name
        self.log_dir = Path(log_dir)
        self.stderr_path = self.log_dir / f"{name}.stderr"
        self.stdout_path = self.log_dir / f"{name}.stdout"
        self.env = env
        self.log_format = log_format
        self.umask = umask
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> "MilterProcess":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if self.socket.kind == "unix" and os.path.lexists(self.socket.path):
            os.unlink(self.socket.path)   # a stale socket makes libmilter exit silently
        env = dict(os.environ, **(self.env or {}))
        with open(self.stderr_path, "ab") as err, open(self.stdout_path, "ab") as out:
            kwargs = {}
            if self.umask is not None:
                kwargs["umask"] = self.umask
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=err, env=env, start_new_session=True, **kwargs)
        try:
            wait_until(self.socket.accepts, self.START_TIMEOUT, interval=0.05,
                       what=f"{self.name} listening on {self.socket}", abort=self._exited_why)
        except (TimeoutError, RuntimeError) as e:
            self.stop()
            raise MilterExited(f"{e}\nargv: {self.argv}\nstderr:\n{self.stderr()[-3000:]}") from None
        return self

    def _exited_why(self) -> str:
        rc = self.proc.poll() if self.proc else None
        return "" if rc is None else f"process exited with {rc}"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> int | None:
        """SIGTERM, bounded wait, then SIGKILL. Returns the exit code (negative = signal)."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=self.TERM_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        self.returncode = self.proc.returncode
        if self.socket.kind == "unix" and os.path.lexists(self.socket.path) and not self.alive():
            try:
                os.unlink(self.socket.path)
            except OSError:
                pass
        return self.returncode

    def __enter__(self) -> "MilterProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- logs ------------------------------------------------------------


    def wait_record(self, predicate, timeout: float = 10.0, what: str = "log record") -> dict:
        """Wait until a parsed record satisfies ``predicate``; return it.

        The milter may write its per-message line after answering end-of-message,
        so the line can trail the SMTP reply by a little.
        """
        found: list[dict] = []

        def check():
            found[:] = [r for r in self.records() if predicate(r)]
            return bool(found)
        try:
            wait_until(check, timeout, interval=0.05, what=what)
        except TimeoutError as e:
            raise TimeoutError(f"{e}; {self.name} stderr tail:\n{self.stderr()[-3000:]}") from None
        return found[-1]


def message_record(queue_id: str | None = None, header_message_id: str | None = None):
    """Predicate for the per-message log line (``msg=message``) of one message."""
    def pred(r: dict) -> bool:
        if r.get("msg") != "message":
            return False
        if queue_id is not None and str(r.get("queue_id")) != queue_id:
            return False
        if header_message_id is not None and r.get("header_message_id") != header_message_id:
            return False
        return True
    return pred


def run_to_exit(argv: list[str], timeout: float = 20.0, env: dict | None = None):
    """Run a milter that is expected to stop by itself (e.g. on a bad config).

    Returns (returncode, stdout, stderr); kills it if it outlives ``timeout``.
    """
    p = subprocess.Popen([str(a) for a in argv], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=dict(os.environ, **(env or {})),
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate(timeout=10)
        return None, out.decode(errors="replace"), err.decode(errors="replace")
    return p.returncode, out.decode(errors="replace"), err.decode(errors="replace")

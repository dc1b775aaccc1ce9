"""Run OpenDKIM's miltertest scripts (``Tests/EndToEnd/miltertest/*.lua``).

``run_miltertest(script, socket, defines)`` runs
``miltertest -s SCRIPT -D socket=SPEC -D libdir=DIR -D k=v ...`` against a milter
that is already running and returns exit code and output. The scripts share
``miltertest/lib.lua`` (loaded with ``dofile(libdir .. "/lib.lua")``), wrap their
body in ``pcall`` and print ``FAIL: ...`` / ``PASS``: a bare Lua ``error()`` makes
miltertest exit 1 without printing anything.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .sockspec import SocketSpec

MILTERTEST = shutil.which("miltertest") or "/usr/bin/miltertest"
SCRIPT_DIR = Path(__file__).resolve().parent.parent / "miltertest"


@dataclass
class MiltertestResult:
    argv: list
    returncode: int | None      # None: killed after the timeout
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def passed(self) -> bool:
        return self.returncode == 0 and "PASS" in self.stdout and "FAIL" not in self.output

    def explain(self) -> str:
        return (f"miltertest exit {self.returncode}\nargv: {self.argv}\n"
                f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}")


def script_path(name: str) -> Path:
    p = Path(name)
    if not p.is_absolute():
        p = SCRIPT_DIR / (name if name.endswith(".lua") else name + ".lua")
    return p


def run_miltertest(script: str, socket: SocketSpec | str, defines: dict | None = None, *,
                   timeout: float = 60.0, verbose: int = 0) -> MiltertestResult:
    spec = socket.miltertest if isinstance(socket, SocketSpec) else str(socket)
    argv = [MILTERTEST, *(["-v"] * verbose), "-s", str(script_path(script)),
            "-D", f"socket={spec}", "-D", f"libdir={SCRIPT_DIR}"]
    for k, v in (defines or {}).items():
        if "=" in k:
            raise ValueError(f"miltertest -D name may not contain '=': {k}")
        if "\0" in str(v):
            raise ValueError("miltertest -D values cannot carry NUL bytes")
        argv += ["-D", f"{k}={v}"]
    try:
        p = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return MiltertestResult(argv, p.returncode, p.stdout.decode(errors="replace"),
                                p.stderr.decode(errors="replace"))
    except subprocess.TimeoutExpired as e:
        return MiltertestResult(argv, None, (e.stdout or b"").decode(errors="replace"),
                                (e.stderr or b"").decode(errors="replace") + "\n[timed out]")

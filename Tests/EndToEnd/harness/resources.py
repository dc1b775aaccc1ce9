"""Everything a test (or a test module) starts, in one place, stopped in reverse order.

``Resources(base)`` hands out paths and sockets under ``base`` (a 0755 dir
under /tmp: pipe(8) runs as nobody and Postfix as postfix, so pytest's 0700
tmp dirs will not do, and unix socket paths must stay short), starts Postfix
instances and milters, and ``close()`` stops them last-started-first, so
Postfix goes down before the milter it talks to.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .milter import MilterProcess
from .postfix import PostfixInstance
from .sockspec import SocketSpec

# Every live Resources object; conftest prints their logs when a test fails.
ACTIVE: list["Resources"] = []


def make_base_dir(prefix: str = "e2e-") -> Path:
    base = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    os.chmod(base, 0o755)
    return base


class Resources:
    def __init__(self, base: Path | None = None, label: str = ""):
        self.base = Path(base) if base else make_base_dir()
        self.label = label
        self.items: list = []
        self._n = 0
        ACTIVE.append(self)

    def unique(self, name: str) -> str:
        """``name`` + a counter, for file names that must not collide."""
        self._n += 1
        return f"{name}{self._n}"

    def path(self, name: str) -> Path:
        return self.base / name

    def socket(self, kind: str, name: str = "milter") -> SocketSpec:
        if kind == "unix":
            return SocketSpec.unix(str(self.base / f"{self.unique(name)}.sock"))
        if kind == "inet":
            return SocketSpec.inet()
        raise ValueError(f"socket kind must be unix or inet, not {kind!r}")

    def postfix(self, **kwargs) -> PostfixInstance:
        pf = PostfixInstance(self.base / self.unique("postfix"), **kwargs)
        self.items.append(pf)
        pf.start()
        return pf

    def milter(self, argv: list, socket: SocketSpec, name: str = "milter", **kwargs) -> MilterProcess:
        m = MilterProcess(argv, socket, self.base, name=self.unique(name), **kwargs)
        self.items.append(m)
        m.start()
        return m

    def close(self) -> None:
        errors = []
        for item in reversed(self.items):
            try:
                item.stop()
            except Exception as e:  # keep stopping the rest
                errors.append(f"{item!r}: {e}")
        self.items.clear()
        if self in ACTIVE:
            ACTIVE.remove(self)
        if errors:
            raise RuntimeError("errors while stopping test resources: " + "; ".join(errors))

    def remove_files(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)

    def diagnostics(self, tail: int = 4000) -> str:
        parts = []
        for item in self.items:
            if isinstance(item, PostfixInstance):
                parts.append(f"--- postfix {item.base} (port {item.port}) maillog tail:\n"
                             f"{item.maillog()[-tail:]}")
            elif isinstance(item, MilterProcess):
                state = "running" if item.alive() else f"exited {item.proc.returncode if item.proc else None}"
                parts.append(f"--- milter {item.name} pid {item.pid} ({state}) argv {item.argv}\n"
                             f"stderr tail:\n{item.stderr()[-tail:]}")
            elif hasattr(item, "diagnostics"):          # Sendmail, smtp-sink (sendmail.py)
                parts.append(item.diagnostics(tail))
        return f"=== resources {self.label} in {self.base}\n" + "\n".join(parts)

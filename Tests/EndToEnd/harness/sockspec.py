"""Milter socket addresses, spelled the way each party wants them.

libmilter (and miltertest, and the milters' ``--socket``) say ``unix:/path`` or
``inet:PORT@127.0.0.1``; Postfix's ``smtpd_milters`` says ``unix:/path`` or
``inet:127.0.0.1:PORT``. One ``SocketSpec`` gives both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .net import LOOPBACK, free_port, tcp_accepts, unix_accepts


@dataclass(frozen=True)
class SocketSpec:
    kind: str            # "unix" or "inet"
    path: str = ""       # unix only (absolute)
    port: int = 0        # inet only

    @staticmethod
    def unix(path: str) -> "SocketSpec":
        if not os.path.isabs(path):
            raise ValueError(f"unix socket path must be absolute: {path}")
        if len(path.encode()) > 100:
            raise ValueError(f"unix socket path too long for sun_path: {path}")
        return SocketSpec("unix", path=path)

    @staticmethod
    def inet(port: int | None = None) -> "SocketSpec":
        return SocketSpec("inet", port=port or free_port())

    @staticmethod
    def parse(text: str) -> "SocketSpec":
        """Accept libmilter (``inet:PORT@HOST``) or Postfix (``inet:HOST:PORT``) forms."""
        if text.startswith(("unix:", "local:")):
            return SocketSpec.unix(text.split(":", 1)[1])
        if text.startswith("inet:"):
            rest = text[len("inet:"):]
            if "@" in rest:
                port, host = rest.split("@", 1)
            else:
                host, port = rest.rsplit(":", 1)
            if host not in (LOOPBACK, "localhost"):
                raise ValueError(f"tests listen on {LOOPBACK} only, got {text}")
            return SocketSpec("inet", port=int(port))
        raise ValueError(f"unsupported socket spec: {text}")

    @property
    def libmilter(self) -> str:
        return f"unix:{self.path}" if self.kind == "unix" else f"inet:{self.port}@{LOOPBACK}"

    @property
    def postfix(self) -> str:
        return f"unix:{self.path}" if self.kind == "unix" else f"inet:{LOOPBACK}:{self.port}"

    # miltertest's mt.connect() takes the libmilter spelling.
    miltertest = libmilter

    def accepts(self) -> bool:
        if self.kind == "unix":
            return unix_accepts(self.path)
        return tcp_accepts(self.port)

    def __str__(self) -> str:
        return self.libmilter

"""Command lines of the programs under test, and how to start them.

- ``footer-milter --socket SPEC [--footer TEXT] [--remove-header NAME]``
- ``tracking-milter milter --config FILE [--socket SPEC]``
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .milter import MilterProcess
from .resources import Resources
from .sockspec import SocketSpec
from .trackingconfig import tracking_config, write_yaml

REPO_ROOT = Path(__file__).resolve().parents[3]

DEFAULT_FOOTER = "Scanned by footer-milter"
DEFAULT_REMOVED_HEADER = "X-Internal-Note"


def binary_path(env_var: str, name: str) -> Path:
    """$env_var if set, else <repo>/.build/debug/<name>."""
    value = os.environ.get(env_var)
    return Path(value) if value else REPO_ROOT / ".build" / "debug" / name


def missing_binary_reason(path: Path, env_var: str) -> str | None:
    if path.is_file() and os.access(path, os.X_OK):
        return None
    return (f"{path} is not built (run `swift build` at the repo root, or point "
            f"{env_var} at the binary)")


def footer_argv(binary: Path, socket: SocketSpec, footer: str | None = None,
                remove_header: str | None = None) -> list[str]:
    argv = [str(binary), "--socket", socket.libmilter]
    if footer is not None:
        argv += ["--footer", footer]
    if remove_header is not None:
        argv += ["--remove-header", remove_header]
    return argv


def start_footer(res: Resources, binary: Path, kind: str = "unix", **kwargs) -> MilterProcess:
    socket = res.socket(kind, "footer")
    return res.milter(footer_argv(binary, socket, **kwargs), socket, name="footer")


def make_key_file(res: Resources, binary: Path) -> Path:
    """A fresh key file made by the binary's own ``keygen`` (the milter refuses to start without one)."""
    path = res.path(f"{res.unique('keys')}.keys")
    subprocess.run([str(binary), "keygen", "--file", str(path)], check=True, capture_output=True, timeout=30)
    return path


def start_tracking(res: Resources, binary: Path, kind: str = "unix", overrides: dict | None = None,
                   socket_flag: bool = False, env: dict | None = None,
                   wrapper: list[str] | None = None) -> MilterProcess:
    """Write a config (defaults in trackingconfig, plus ``overrides``) and start the milter.

    The socket is named in the config; ``socket_flag=True`` also passes --socket.
    ``wrapper`` goes before the command line (a program that execs it, such as
    ``prlimit --fsize=N --``, so the process keeps its pid).
    """
    socket = res.socket(kind, "tracking")
    cfg = tracking_config(socket, overrides)
    if "keys" not in cfg:
        cfg["keys"] = {"file": str(make_key_file(res, binary))}
    path = write_yaml(res.path(f"{res.unique('tracking')}.yaml"), cfg)
    argv = [str(binary), "milter", "--config", str(path)]
    if socket_flag:
        argv += ["--socket", socket.libmilter]
    argv = (wrapper or []) + argv
    m = res.milter(argv, socket, name="tracking", log_format=cfg["log"]["format"], env=env)
    m.config_path = path
    return m

"""Write tracking-milter YAML configs for tests.

``tracking_config(socket, overrides)`` deep-merges ``overrides`` into the
defaults below and ``write_yaml`` renders nested dicts/lists of str/int/bool as
YAML (strings JSON-quoted, which is valid YAML), so no YAML library is needed.
"""

from __future__ import annotations

import json
from pathlib import Path

from .sockspec import SocketSpec


def tracking_config(socket: SocketSpec, overrides: dict | None = None) -> dict:
    cfg = {
        "milter": {
            "socket": socket.libmilter,
            "socket_mode": "0666",
            "on_error": "accept",
            "header_errors": "reject",
            "strip_api_header": True,
            "recipient_mode": "shared",
        },
        "log": {"format": "logfmt", "level": "info"},
        "tracking": {
            "open_tracking_enabled": False,
            "click_tracking_enabled": False,
            "tracking_domain": "track.example.test",
        },
    }
    return deep_merge(cfg, overrides or {})


def deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if v is None:
        return "null"
    return json.dumps(str(v))


def to_yaml(value, indent: int = 0) -> str:
    pad = "  " * indent
    lines = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.append(to_yaml(v, indent + 1))
            elif isinstance(v, dict):
                lines.append(f"{pad}{k}: {{}}")
            elif isinstance(v, list):
                lines.append(f"{pad}{k}: []")
            else:
                lines.append(f"{pad}{k}: {_scalar(v)}")
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict) and v:
                inner = to_yaml(v, indent + 1).splitlines()
                lines.append(f"{pad}- {inner[0].strip()}")
                lines += inner[1:]
            else:
                lines.append(f"{pad}- {_scalar(v)}")
    else:
        lines.append(pad + _scalar(value))
    return "\n".join(lines)


def write_yaml(path: str | Path, cfg: dict) -> Path:
    path = Path(path)
    path.write_text(to_yaml(cfg) + "\n")
    return path

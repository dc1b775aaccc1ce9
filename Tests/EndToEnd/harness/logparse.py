"""Parse the milters' structured log lines: logfmt (default) and JSON lines.

logfmt: ``key=value`` pairs separated by spaces; a value is either bare (up to
the next space) or double-quoted with backslash escapes (``\\"``, ``\\\\``,
``\\n``, ``\\r``, ``\\t``, ``\\uXXXX``). A bare key without ``=`` maps to True.
Values stay strings; helpers below interpret the ones tests care about.
"""

from __future__ import annotations

import json

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "/": "/",
            "b": "\b", "f": "\f", "0": "\0"}


class LogfmtError(ValueError):
    pass


def parse_logfmt(line: str) -> dict:
    """``'a=1 b="x \\"y\\"" c'`` -> ``{'a': '1', 'b': 'x "y"', 'c': True}``."""
    out: dict = {}
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        start = i
        while i < n and line[i] not in "= \t":
            i += 1
        key = line[start:i]
        if not key or '"' in key:
            raise LogfmtError(f"bad key at column {start}: {line!r}")
        if i >= n or line[i] != "=":
            out[key] = True
            continue
        i += 1  # skip '='
        if i < n and line[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise LogfmtError(f"unterminated quoted value for {key!r}: {line!r}")
                c = line[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\" and i + 1 < n:
                    e = line[i + 1]
                    if e == "u" and i + 5 < n:
                        try:
                            buf.append(chr(int(line[i + 2:i + 6], 16)))
                            i += 6
                            continue
                        except ValueError:
                            pass
                    buf.append(_ESCAPES.get(e, "\\" + e))
                    i += 2
                    continue
                buf.append(c)
                i += 1
            out[key] = "".join(buf)
        else:
            start = i
            while i < n and line[i] not in " \t":
                i += 1
            out[key] = line[start:i]
    return out


def parse_json_line(line: str) -> dict:
    obj = json.loads(line)
    if not isinstance(obj, dict):
        raise ValueError(f"JSON log line is not an object: {line!r}")
    return obj


def parse_line(line: str, fmt: str | None = None) -> dict:
    """Parse one line; ``fmt`` is "logfmt", "json" or None (guess from the first char)."""
    line = line.strip()
    if fmt == "json" or (fmt is None and line.startswith("{")):
        return parse_json_line(line)
    return parse_logfmt(line)


def parse_lines(lines, fmt: str | None = None) -> list[dict]:
    """Parse every line that parses; others (e.g. a crash trace) are skipped."""
    records = []
    for line in lines:
        if not line.strip():
            continue
        try:
            records.append(parse_line(line, fmt))
        except ValueError:
            continue
    return records


# ---- interpreting values (the same in logfmt and JSON) --------------------

def as_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    v = str(value).strip().lower()
    if v in ("true", "1", "yes", "on"):
        return True
    if v in ("false", "0", "no", "off"):
        return False
    return None


def as_json(value):
    """A JSON value logged as text (logfmt) or nested (JSON logs)."""
    if isinstance(value, (dict, list)):
        return value
    return json.loads(value)


def as_list(value) -> list[str]:
    """Tags / recipients: a JSON array, a JSON array as text, or ``a,b,c``."""
    if value is None or value is True:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value).strip()
    if text.startswith("["):
        return [str(v) for v in json.loads(text)]
    return [t for t in text.split(",") if t]

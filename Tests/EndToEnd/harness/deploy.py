"""The shipped Postfix milter settings (deploy/postfix/main.cf.milter), read for the harness.

``PostfixInstance(milter=...)`` takes its milter settings from here, so every Postfix
end-to-end test runs the lines operators paste: the ``milter_*`` values as they are,
and ``smtpd_milters`` reduced to tracking-milter's own ``{ socket, options }`` entry
(the DKIM signer the file lists after it is not part of the tests) with the socket
replaced by the test's. ``non_smtpd_milters`` is empty in the harness (no local
submission in the tests; the file's value names only the DKIM signer).
"""

from __future__ import annotations

import re
from pathlib import Path

MAIN_CF_MILTER = Path(__file__).resolve().parents[3] / "deploy" / "postfix" / "main.cf.milter"
PLACEHOLDER_SOCKET = "unix:/run/tracking-milter/milter.sock"

_SETTING = re.compile(r"^([a-z][a-z0-9_]*)\s*=\s*(.*?)\s*$")


def main_cf_settings(path: Path = MAIN_CF_MILTER) -> dict:
    """The active (uncommented) ``name = value`` lines of a main.cf snippet."""
    out = {}
    for line in Path(path).read_text().splitlines():
        m = _SETTING.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def tracking_milter_entry(smtpd_milters: str) -> str:
    """The ``{ unix:/run/tracking-milter/milter.sock, ... }`` entry of an smtpd_milters value
    (or the bare placeholder socket when it has no braces)."""
    for m in re.finditer(r"\{[^{}]*\}", smtpd_milters):
        if PLACEHOLDER_SOCKET in m.group(0):
            return m.group(0)
    if PLACEHOLDER_SOCKET in smtpd_milters:
        return PLACEHOLDER_SOCKET
    raise ValueError(f"no {PLACEHOLDER_SOCKET} in smtpd_milters = {smtpd_milters}")


def postfix_milter_settings(socket: str) -> dict:
    """main.cf settings for a test Postfix whose smtpd talks to the milter at ``socket``
    (Postfix spelling: ``unix:/path`` or ``inet:127.0.0.1:PORT``)."""
    shipped = main_cf_settings()
    out = {k: v for k, v in shipped.items() if k.startswith("milter_")}
    out["smtpd_milters"] = tracking_milter_entry(shipped["smtpd_milters"]).replace(
        PLACEHOLDER_SOCKET, socket)
    out["non_smtpd_milters"] = ""
    return out

"""Findings that are limitations of the oracle, not rewriter bugs.

``KNOWN[(case id, check)] = reason``; a test with findings listed here is an
xfail carrying the reason (and the findings, so a new problem in the same file
is still visible in the report). Keep each entry explained.
"""

from __future__ import annotations

KNOWN: dict[tuple[str, str], str] = {
}


def reason(case_id: str, check: str) -> str | None:
    return KNOWN.get((case_id, check)) or KNOWN.get((case_id, "*"))

"""Fixtures for the end-to-end suite (run: python3 -m pytest Tests/EndToEnd).

Binaries: $TRACKING_MILTER_BIN (default <repo>/.build/debug/tracking-milter) and
$FOOTER_MILTER_BIN (default <repo>/.build/debug/footer-milter). Tests that need
a missing binary, Postfix (root) or miltertest are skipped with the reason.
Set E2E_KEEP=1 to keep the /tmp/e2e-* working directories.
"""

from __future__ import annotations

import os
import shutil

import pytest

from harness import resources as res_mod
from harness.programs import binary_path, missing_binary_reason, start_footer, start_tracking
from harness.resources import Resources

KEEP = os.environ.get("E2E_KEEP") == "1"


# ---- failure reports: attach logs of everything running ---------------------

@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
    if rep.when == "call" and rep.failed:
        for r in list(res_mod.ACTIVE):
            rep.sections.append((f"e2e logs {r.label}", r.diagnostics()))


def _finish(r: Resources, failed: bool) -> None:
    try:
        r.close()
    finally:
        if KEEP or failed:
            print(f"e2e files kept in {r.base}")
        else:
            r.remove_files()


# ---- prerequisites -----------------------------------------------------------

@pytest.fixture(scope="session")
def needs_postfix():
    if os.geteuid() != 0:
        pytest.skip("a private Postfix instance needs root")
    if not shutil.which("postfix") or not os.path.exists("/usr/lib/postfix/sbin/master"):
        pytest.skip("postfix is not installed (apt-get install postfix)")


@pytest.fixture(scope="session")
def needs_miltertest():
    if not shutil.which("miltertest"):
        pytest.skip("miltertest is not installed (apt-get install miltertest)")


@pytest.fixture(scope="session")
def needs_sendmail():
    """A private Sendmail root (downloaded and unpacked once per machine, see
    harness/sendmail.py); skips with the reason when that cannot be done here."""
    from harness import sendmail
    why = sendmail.missing_reason()
    if why:
        pytest.skip(why)
    try:
        return sendmail.sendmail_root()
    except Exception as e:   # no network to the Debian mirror, apt broken, ...
        pytest.skip(f"cannot set up a private Sendmail root in {sendmail.ROOT_DIR}: {e}")


@pytest.fixture(scope="session")
def footer_bin():
    path = binary_path("FOOTER_MILTER_BIN", "footer-milter")
    why = missing_binary_reason(path, "FOOTER_MILTER_BIN")
    if why:
        pytest.skip(why)
    return path


@pytest.fixture(scope="session")
def tracking_bin():
    path = binary_path("TRACKING_MILTER_BIN", "tracking-milter")
    why = missing_binary_reason(path, "TRACKING_MILTER_BIN")
    if why:
        pytest.skip(why)
    return path


# ---- resources ---------------------------------------------------------------

@pytest.fixture
def e2e(request):
    """Per-test Resources: Postfix instances, milters, paths; all stopped afterwards."""
    r = Resources(label=request.node.name)
    yield r
    rep = getattr(request.node, "rep_call", None)
    _finish(r, failed=bool(rep and rep.failed))


@pytest.fixture(scope="module")
def e2e_module(request):
    """Per-module Resources, for milters that several tests share (they take ~5 s to stop)."""
    r = Resources(label=f"module {request.module.__name__}")
    yield r
    failed = request.session.testsfailed > 0
    _finish(r, failed)


class SharedMilters:
    """One milter per socket kind, started on first use and restarted if it died."""

    def __init__(self, starter):
        self._starter = starter
        self._running = {}

    def get(self, kind: str = "unix"):
        m = self._running.get(kind)
        if m is None or not m.alive():
            m = self._starter(kind)
            self._running[kind] = m
        return m


@pytest.fixture(scope="module")
def footer_milters(e2e_module, footer_bin):
    """``footer_milters.get("unix"|"inet")``: a footer-milter with default options."""
    return SharedMilters(lambda kind: start_footer(e2e_module, footer_bin, kind))


@pytest.fixture(scope="module")
def tracking_milters(e2e_module, tracking_bin):
    """``tracking_milters.get("unix"|"inet")``: tracking-milter, default test config
    (tracking off, header_errors reject, logfmt)."""
    return SharedMilters(lambda kind: start_tracking(e2e_module, tracking_bin, kind))

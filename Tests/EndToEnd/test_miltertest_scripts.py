"""The miltertest scripts parse, load lib.lua and report failures visibly.

Run against a socket where nothing listens: each script must print
"FAIL: mt.connect(): SPEC: connect(): ..." and exit 1, which proves the script and lib.lua
compile and that the pcall wrapper prints errors (a bare Lua error() would exit
1 silently).
"""

import pytest

from harness.miltertest import SCRIPT_DIR, run_miltertest

pytestmark = pytest.mark.usefixtures("needs_miltertest")

SCRIPTS = sorted(p.name for p in SCRIPT_DIR.glob("*.lua") if p.name != "lib.lua")


def test_there_are_scripts():
    assert {"api_header_stripped.lua", "api_header_rejected.lua",
            "plain_message_untouched.lua"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_loads_and_reports_connect_failure(e2e, script):
    dead = e2e.socket("unix", "dead")
    r = run_miltertest(script, dead, {"api": "{}", "connect_tries": "1"}, timeout=30)
    assert r.returncode == 1, r.explain()
    # mt.connect raises "mt.connect(): SPEC: connect(): ..." itself
    assert "FAIL: mt.connect(" in r.stdout and dead.path in r.stdout, r.explain()

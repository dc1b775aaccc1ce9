"""Start-up failures an operator must see on stderr, not only in a syslog that may not exist."""

from __future__ import annotations

import socket as pysocket

from harness.milter import run_to_exit
from harness.net import LOOPBACK, free_port
from harness.programs import make_key_file
from harness.trackingconfig import tracking_config, write_yaml
from harness.sockspec import SocketSpec


def run(e2e, tracking_bin, spec: str, overrides: dict | None = None):
    keys = make_key_file(e2e, tracking_bin)
    cfg = tracking_config(SocketSpec.unix(str(e2e.path("unused.sock"))), {"keys": {"file": str(keys)}, **(overrides or {})})
    path = write_yaml(e2e.path(f"{e2e.unique('startup')}.yaml"), cfg)
    return run_to_exit([tracking_bin, "milter", "--config", path, "--socket", spec], timeout=20)


def test_socket_in_a_missing_directory_exits_with_a_clear_line(e2e, tracking_bin):
    rc, out, err = run(e2e, tracking_bin, "unix:/nonexistent-dir/milter.sock")
    assert rc == 69, (rc, err)
    assert "cannot open milter socket unix:/nonexistent-dir/milter.sock" in err and "does not exist" in err, err


def test_a_spill_directory_that_cannot_be_used_stops_start_up_at_its_line(e2e, tracking_bin):
    """limits.spill_directory is tried at start-up (a file made there and dropped), so a
    missing directory stops the milter, and check-config, with the file and line."""
    missing = str(e2e.path("no-such-dir"))
    rc, out, err = run(e2e, tracking_bin, f"unix:{e2e.path('spill.sock')}", {"limits": {"spill_directory": missing}})
    assert rc == 78, (rc, err)
    assert ".yaml:" in err and "limits.spill_directory" in err and f"cannot make a spill file in {missing}" in err, err
    config = next(e2e.base.glob("startup*.yaml"))
    line = next(n for n, text in enumerate(config.read_text().splitlines(), 1) if "spill_directory" in text)
    assert f"{config}:{line}:" in err, err
    rc, out, err = run_to_exit([tracking_bin, "check-config", config], timeout=20)
    assert rc == 78 and f"{config}:{line}:" in err, (rc, err)


def test_port_in_use_exits_with_a_clear_line(e2e, tracking_bin):
    port = free_port()
    holder = pysocket.socket()
    holder.bind((LOOPBACK, port))
    holder.listen(1)
    try:
        rc, out, err = run(e2e, tracking_bin, f"inet:{port}@{LOOPBACK}")
    finally:
        holder.close()
    assert rc == 69, (rc, err)
    assert f"cannot open milter socket inet:{port}@{LOOPBACK}" in err and "in use" in err, err


def test_a_live_socket_of_another_milter_is_not_stolen(e2e, tracking_bin):
    path = e2e.path("live.sock")
    holder = pysocket.socket(pysocket.AF_UNIX)
    holder.bind(str(path))
    holder.listen(1)
    try:
        rc, out, err = run(e2e, tracking_bin, f"unix:{path}")
    finally:
        holder.close()
    assert rc == 69, (rc, err)
    assert "another process is listening" in err, err

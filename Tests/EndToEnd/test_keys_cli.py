"""The key commands and decode, through the real binary."""

from __future__ import annotations

import os
import stat

import pytest

from harness.milter import run_to_exit
from harness.programs import make_key_file
from harness.trackingconfig import tracking_config, write_yaml


def test_keygen_creates_a_private_file_and_never_overwrites(e2e, tracking_bin):
    path = e2e.path("new.keys")
    rc, out, err = run_to_exit([tracking_bin, "keygen", "--file", path])
    assert rc == 0, err
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600, oct(mode)
    first = open(path).read()
    assert "active 1" in first
    rc, out, err = run_to_exit([tracking_bin, "keygen", "--file", path])
    assert rc != 0 and "exists" in err, (rc, err)
    assert open(path).read() == first, "keygen replaced an existing key file"
    rc, out, err = run_to_exit([tracking_bin, "keygen", "--file", path, "--rotate"])
    assert rc == 0, err
    rotated = open(path).read()
    assert rotated.startswith(first.split("active 1")[0]) and "active 2" in rotated
    # the first key is still there, so links it sealed keep opening
    key1 = [line for line in first.splitlines() if line.startswith("1 ")]
    assert key1 and key1[0] in rotated.splitlines()


def test_milter_refuses_to_start_without_its_key_file(e2e, tracking_bin):
    missing = e2e.path("absent.keys")
    cfg = tracking_config(e2e.socket("unix", "nokeys"), {"keys": {"file": str(missing)}})
    path = write_yaml(e2e.path("nokeys.yaml"), cfg)
    rc, out, err = run_to_exit([tracking_bin, "milter", "--config", path], timeout=20)
    assert rc not in (None, 0), (rc, err)
    assert str(missing) in err and "keygen" in err, err


def test_milter_refuses_a_short_key(e2e, tracking_bin):
    keys = e2e.path("short.keys")
    with open(keys, "w") as f:
        f.write("active 1\n1 c2hvcnQ\n")
    cfg = tracking_config(e2e.socket("unix", "short"), {"keys": {"file": str(keys)}})
    path = write_yaml(e2e.path("short.yaml"), cfg)
    rc, out, err = run_to_exit([tracking_bin, "milter", "--config", path], timeout=20)
    assert rc not in (None, 0), (rc, err)
    assert f"{keys}:2" in err and "32" in err, err


@pytest.mark.parametrize("token", ["AAAA", "not a token", ""])
def test_decode_says_why_a_token_does_not_open(e2e, tracking_bin, token):
    keys = make_key_file(e2e, tracking_bin)
    cfg = tracking_config(e2e.socket("unix", "dec"), {"keys": {"file": str(keys)}})
    path = write_yaml(e2e.path(f"dec-{e2e.unique('c')}.yaml"), cfg)
    rc, out, err = run_to_exit([tracking_bin, "decode", "--config", path, f"http://t.example/f/a/{token}"])
    assert rc == 1, (rc, out, err)
    assert "cannot open the token" in err and out == "", (out, err)

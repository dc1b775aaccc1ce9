"""The files in deploy/ as shipped: each accepted by the tool that reads it, consistent with
each other, and the same settings the end-to-end tests run.

- deploy/tracking-milter.yaml: ``tracking-milter check-config`` (with a fresh key file);
- deploy/postfix/main.cf.milter and the split-relay snippets: ``postconf -c DIR`` prints
  no ``warning:`` (it warns about every unknown parameter, in main.cf and in master.cf
  ``-o`` options), and the Postfix harness uses main.cf.milter's milter settings;
- deploy/sendmail/*.mc: m4 with Sendmail's own cf files builds the expected .cf lines
  (the Sendmail tests run these lines, too);
- deploy/systemd/*.service: ``systemd-analyze verify`` (skipped without systemd);
- deploy/Containerfile: static checks (these machines cannot build images).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import deploy, relay
from harness.milter import run_to_exit
from harness.programs import REPO_ROOT, make_key_file

DEPLOY = REPO_ROOT / "deploy"
YAML = DEPLOY / "tracking-milter.yaml"
UNITS = [DEPLOY / "systemd" / "tracking-milter.service", DEPLOY / "systemd" / "tracking-tracker.service",
         DEPLOY / "systemd" / "tracking-milter-ship.service"]
CONTAINERFILE = DEPLOY / "Containerfile"
SOCKET_PATH = "/run/tracking-milter/milter.sock"
CONFIG_PATH = "/etc/tracking-milter/tracking-milter.yaml"
BINARY_PATH = "/usr/local/bin/tracking-milter"
POSTCONF = shutil.which("postconf") or "/usr/sbin/postconf"


def _yaml_value(text: str, section: str, key: str) -> str | None:
    """``key:`` inside top-level ``section:`` of a simple YAML file (comments stripped)."""
    current = None
    for line in text.splitlines():
        if re.match(r"^[A-Za-z_]+:", line):
            current = line.split(":", 1)[0]
            continue
        m = re.match(r"^\s+([A-Za-z_]+):\s*(.*?)\s*(?:#.*)?$", line)
        if current == section and m and m.group(1) == key:
            return m.group(2).strip('"\'')
    return None


def _unit(path: Path) -> dict:
    """{key: [values]} of a unit file (all sections together)."""
    out: dict = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            k, v = line.split("=", 1)
            out.setdefault(k.strip(), []).append(v.strip())
    return out


# ---- the YAML ----------------------------------------------------------------------------------

def test_shipped_yaml_passes_check_config(e2e, tracking_bin):
    """check-config needs the key file: the copy points keys.file at a fresh one."""
    text = YAML.read_text()
    assert _yaml_value(text, "keys", "file") == "/etc/tracking-milter/keys"
    key_file = make_key_file(e2e, tracking_bin)
    copy = e2e.path("tracking-milter.yaml")
    copy.write_text(text.replace("file: /etc/tracking-milter/keys", f"file: {key_file}", 1))
    rc, out, err = run_to_exit([tracking_bin, "check-config", copy], timeout=30)
    assert rc == 0, f"check-config {YAML} (keys.file -> {key_file}) failed ({rc}):\n{out}\n{err}"


def test_deploy_files_agree_on_socket_config_and_binary():
    yaml = YAML.read_text()
    assert _yaml_value(yaml, "milter", "socket") == f"unix:{SOCKET_PATH}"
    # Postfix: the tracking entry of smtpd_milters
    main = deploy.main_cf_settings()
    assert deploy.tracking_milter_entry(main["smtpd_milters"]).startswith(f"{{ unix:{SOCKET_PATH},")
    # Sendmail
    mc = (DEPLOY / "sendmail" / "tracking-milter.mc").read_text()
    assert f"S=local:{SOCKET_PATH}," in mc
    # systemd: /run/<RuntimeDirectory>/milter.sock, config and binary paths
    milter_unit = _unit(UNITS[0])
    assert milter_unit["RuntimeDirectory"] == [Path(SOCKET_PATH).parent.name]
    for unit in UNITS:
        u = _unit(unit)
        for cmd in u["ExecStart"] + u["ExecStartPre"]:
            assert cmd.startswith(BINARY_PATH + " ") and cmd.endswith(CONFIG_PATH), (unit, cmd)
    # the container: same socket directory (a volume), config and binary
    cf = CONTAINERFILE.read_text()
    assert f'VOLUME ["{Path(SOCKET_PATH).parent}"]' in cf
    assert f'CMD ["milter", "--config", "{CONFIG_PATH}"]' in cf
    assert f'ENTRYPOINT ["{BINARY_PATH}"]' in cf


# ---- Postfix ------------------------------------------------------------------------------------

def _postconf_dir(tmp: Path, main_settings: dict, master_extra: str = "") -> Path:
    d = tmp / "etc"
    d.mkdir(parents=True, exist_ok=True)
    lines = ["compatibility_level = 3.6"] + [f"{k} = {v}" for k, v in main_settings.items()]
    (d / "main.cf").write_text("\n".join(lines) + "\n")
    stock = next((p for p in (Path("/usr/share/postfix/master.cf.dist"),
                              Path("/etc/postfix/master.cf.proto")) if p.exists()), None)
    master = stock.read_text() if stock else ""
    (d / "master.cf").write_text(master + master_extra)
    return d


def _postconf(d: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([POSTCONF, "-c", str(d), *args], capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def needs_postconf():
    if not os.path.exists(POSTCONF):
        pytest.skip("postconf is not installed (apt-get install postfix)")


@pytest.mark.usefixtures("needs_postconf")
def test_main_cf_milter_is_accepted_by_postconf(tmp_path):
    shipped = deploy.main_cf_settings()
    assert {"smtpd_milters", "non_smtpd_milters", "milter_default_action", "milter_protocol"} <= set(shipped)
    assert shipped["milter_default_action"] == "tempfail" and shipped["milter_protocol"] == "6"
    # tracking-milter first, then the DKIM signer; per-milter options in Postfix 3 syntax
    assert re.fullmatch(r"\{ unix:/run/tracking-milter/milter\.sock, connect_timeout=\d+s, "
                        r"default_action=tempfail \}, inet:localhost:8891", shipped["smtpd_milters"])
    # split mode: never in non_smtpd_milters (cleanup cannot refuse single recipients)
    assert "tracking-milter" not in shipped["non_smtpd_milters"]
    d = _postconf_dir(tmp_path, shipped)
    r = _postconf(d, "-n")
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr
    for name, value in shipped.items():
        assert f"{name} = {value}" in r.stdout.splitlines(), (name, r.stdout)


@pytest.mark.usefixtures("needs_postconf")
@pytest.mark.parametrize("letter", ["A", "B", "C"])
def test_split_relay_snippets_are_accepted_by_postconf(tmp_path, letter):
    main, master = relay.deploy_snippet(letter)
    assert main, f"set-up {letter}: no main.cf lines"
    d = _postconf_dir(tmp_path, main, master)
    for args in (["-n"], ["-M"]):
        r = _postconf(d, *args)
        assert r.returncode == 0 and "warning" not in r.stderr, (args, r.stderr)
    if master:
        services = _postconf(d, "-M").stdout
        assert re.search(r"^trackrelay\s+unix\b", services, re.M), services


def test_postfix_harness_uses_the_main_cf_milter_values():
    from harness.postfix import PostfixInstance
    if os.geteuid() != 0:
        pytest.skip("PostfixInstance needs root")
    shipped = deploy.main_cf_settings()
    pf = PostfixInstance("/tmp/e2e-never-started", milter="unix:/tmp/e2e-x.sock")
    used = pf.main_cf_settings()
    for name, value in shipped.items():
        if name.startswith("milter_"):
            assert used.get(name) == value, (name, used.get(name), value)
    assert used["smtpd_milters"] == deploy.tracking_milter_entry(shipped["smtpd_milters"]).replace(
        deploy.PLACEHOLDER_SOCKET, "unix:/tmp/e2e-x.sock")


@pytest.mark.usefixtures("needs_postfix")
def test_postfix_runs_the_shipped_milter_settings_without_warnings(e2e, tracking_milters):
    """The { socket, options } form is parsed by smtpd, not by postconf: run it."""
    from harness.message import simple_message
    pf = e2e.postfix(milter=tracking_milters.get("unix").socket)
    assert pf.send("sender@example.com", ["rcpt@example.com"], simple_message()).ok
    assert pf.wait_deliveries(1)
    warnings = [line for line in pf.maillog().splitlines() if "warning:" in line]
    assert warnings == [], warnings


# ---- Sendmail -----------------------------------------------------------------------------------

def _build_mc(e2e, body: str):
    from harness.sendmail import build_cf, sendmail_root
    root = sendmail_root()
    mc = e2e.path(e2e.unique("deploy") + ".mc")
    mc.write_text("divert(0)dnl\nOSTYPE(`linux')dnl\n" + body
                  + "MAILER(`local')dnl\nMAILER(`smtp')dnl\n")
    cf = mc.with_suffix(".cf")
    stderr = build_cf(mc, cf, root)
    return cf.read_text(), stderr


@pytest.mark.usefixtures("needs_sendmail")
@pytest.mark.parametrize("how", ["pasted", "include"])
def test_sendmail_mc_lines_build_the_expected_cf(e2e, how):
    from harness.sendmail import DEPLOY_MC, cf_filters, cf_options
    body = DEPLOY_MC.read_text() if how == "pasted" else f"include(`{DEPLOY_MC}')dnl\n"
    cf, stderr = _build_mc(e2e, body)
    assert stderr == "", stderr
    assert cf_filters(cf) == {"tracking": {"S": f"local:{SOCKET_PATH}", "F": "T",
                                           "T": "C:10s;S:10s;R:10s;E:30s"}}
    opts = cf_options(cf)
    assert opts["InputMailFilters"] == "tracking"
    assert opts["Milter.LogLevel"] == "8"           # no header values in the mail log
    # appended to Sendmail's defaults, which other milters keep
    assert opts["Milter.macros.connect"] == "j, _, {daemon_name}, {if_name}, {if_addr}, {client_addr}"
    assert opts["Milter.macros.envrcpt"] == ("{rcpt_mailer}, {rcpt_host}, {rcpt_addr}, i, {mail_addr}, "
                                             "{auth_authen}, {daemon_name}, {client_addr}")
    assert opts["Milter.macros.envfrom"].startswith("i, {auth_type}, {auth_authen}")


@pytest.mark.usefixtures("needs_sendmail")
def test_sendmail_split_relay_mc_limits_smtp_and_relay_mailers_to_one_recipient(e2e):
    from harness.sendmail import split_relay_mc_lines
    cf, stderr = _build_mc(e2e, split_relay_mc_lines())
    assert stderr == "", stderr
    mailers = {m.group(1): m.group(0) for m in re.finditer(r"^M(\w+),.*?(?=^\S|\Z)", cf, re.M | re.S)}
    for name in ("smtp", "esmtp", "smtp8", "dsmtp", "relay"):
        assert re.search(r"\br=1,", mailers[name]), (name, mailers[name])
    assert not re.search(r"\br=\d", mailers["local"])


# ---- systemd ------------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_systemd_unit_settings(unit):
    u = _unit(unit)
    want = {
        # Any exit (SIGHUP's clean stop included) leaves mail tempfailing: always restart.
        "User": ["tracking-milter"], "Group": ["tracking-milter"], "Restart": ["always"],
        "ProtectSystem": ["strict"], "ProtectHome": ["yes"], "NoNewPrivileges": ["yes"],
        "PrivateTmp": ["yes"], "CapabilityBoundingSet": [""],
        "RestrictAddressFamilies": ["AF_UNIX AF_INET AF_INET6"],
    }
    for key, value in want.items():
        assert u.get(key) == value, (unit.name, key, u.get(key))
    assert u["ExecStartPre"] == [f"{BINARY_PATH} check-config {CONFIG_PATH}"]
    # Both services append to the event spool under /var/lib/tracking-milter (the shipped YAML).
    assert u.get("StateDirectory") == ["tracking-milter"], (unit.name, u.get("StateDirectory"))
    assert int(u["StateDirectoryMode"][0], 8) & 0o700 == 0o700
    spool = _yaml_value(YAML.read_text(), "events", "dir")
    assert spool and spool.startswith("/var/lib/tracking-milter/"), spool
    sub = {"tracking-milter.service": "milter", "tracking-milter-ship.service": "ship"}.get(unit.name, "tracker")
    assert u["ExecStart"] == [f"{BINARY_PATH} {sub} --config {CONFIG_PATH}"]
    if sub == "milter":
        # SIGHUP is libmilter's (it stops); the milter reloads on SIGUSR1, after a check.
        assert u["ExecReload"] == [f"{BINARY_PATH} check-config {CONFIG_PATH}", "/bin/kill -USR1 $MAINPID"]
        assert u["RuntimeDirectory"] == ["tracking-milter"]
        # Sendmail refuses a milter socket in a group-writable directory (test_sendmail.py)
        mode = int(u["RuntimeDirectoryMode"][0], 8)
        assert mode & 0o022 == 0 and mode & 0o050 == 0o050, oct(mode)


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_systemd_unit_passes_systemd_analyze_verify(tmp_path, tracking_bin, unit):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    # verify wants the ExecStart binaries to exist: point them at the built one
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text().replace(BINARY_PATH, str(tracking_bin)))
    r = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, SYSTEMD_LOG_LEVEL="notice"))
    # verify exits 0 on unknown keys and bad values too, and says so on stderr
    problems = [line for line in r.stderr.splitlines() if unit.name in line or "Failed" in line]
    assert r.returncode == 0 and problems == [], f"rc={r.returncode}\n{r.stderr}"


# ---- the Containerfile ---------------------------------------------------------------------------

def test_containerfile_static_checks():
    text = CONTAINERFILE.read_text()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    froms = [line for line in lines if line.startswith("FROM ")]
    assert len(froms) == 2 and froms[0].endswith(" AS build"), froms
    assert re.search(r"^ARG SWIFT_IMAGE=swift:[\d.]+-bookworm$", text, re.M)
    assert re.search(r"^ARG RUNTIME_IMAGE=debian:bookworm-slim$", text, re.M)
    # runs as the dedicated user, never root
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users == ["tracking-milter"], users
    # every COPY source from the build context exists in the repository
    for line in lines:
        if line.startswith("COPY ") and "--from=" not in line:
            parts = [p for p in line.split()[1:] if not p.startswith("--")]
            for src in parts[:-1]:
                assert (REPO_ROOT / src).exists(), f"COPY source {src} is missing"
    assert "libmilter1" in text and "libmilter-dev" in text
    assert "liblua5.4-0" in text and "liblua5.4-dev" in text   # policy_script
    assert "--static-swift-stdlib" in text

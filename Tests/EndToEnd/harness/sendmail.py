"""A real Sendmail on 127.0.0.1 beside Postfix, for end-to-end tests.

Sendmail and Postfix conflict as Debian packages, so Sendmail is never
installed: ``sendmail_root()`` downloads the .debs (``apt-get download
sendmail-bin sendmail-cf sendmail-base m4 liblockfile1 libwrap0``; it runs
``apt-get update`` once when apt has no package lists) and unpacks them with
``dpkg -x`` into a private root, once per machine (``/tmp/e2e-sendmail-root``,
or ``$E2E_SENDMAIL_ROOT``; a file lock keeps parallel runs apart). Fixes
applied to that root (see /work/shared/MTA-LAB.md and Tests/EndToEnd/README.md):

- ``chmod g-s`` on ``usr/libexec/sendmail/sendmail``: a setgid binary makes the
  loader ignore ``LD_LIBRARY_PATH``, which must point at the root's
  ``usr/lib/x86_64-linux-gnu`` (libwrap, liblockfile).
- Sendmail runs in its own UTS and mount namespace (``unshare --uts --mount``):
  ``hostname mta.test.localdomain`` (an unqualified host name makes Sendmail
  sleep 60 s silently), and a private tmpfs on ``/dev`` holding symlinks to the
  real null/zero/random/urandom/tty and ``/dev/log`` -> our syslog socket
  (``syslogsink.py``), because Sendmail logs only to syslog and these machines
  run no syslog daemon. Nothing of that is visible outside the namespace.
- ``confDONT_BLAME_SENDMAIL`` ``TrustStickyBit``: the milter's unix socket lives
  under /tmp, whose sticky, world-writable mode Sendmail otherwise refuses.

``SendmailInstance`` builds its ``.cf`` from a generated ``.mc`` with the
root's m4 (``build_cf``); the milter lines are those of the shipped
``deploy/sendmail/tracking-milter.mc`` (``deploy_mc_lines``), with the socket
path filled in. It relays everything (``SMART_HOST [127.0.0.1]``, relay and
esmtp mailers on the sink's port) to an ``SmtpSink``: Postfix's smtp-sink with
``-d``, one dump file per message. ``SendmailInstance.relay()`` sends one
message and returns what the sink received: the function to use when
comparing what Postfix and Sendmail deliver for the same input.

Everything listens on 127.0.0.1 only; every process is started here, stopped by
its PID (Sendmail: its process group, which it leads), and every wait is bounded.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .net import LOOPBACK, free_port, tcp_accepts, wait_until
from .postfix import PostfixInstance, SendResult
from .sockspec import SocketSpec

REPO_ROOT = Path(__file__).resolve().parents[3]
DEPLOY_MC = REPO_ROOT / "deploy" / "sendmail" / "tracking-milter.mc"
DEPLOY_SPLIT_RELAY_MC = REPO_ROOT / "deploy" / "sendmail" / "split-relay.mc"
PLACEHOLDER_SOCKET = "local:/run/tracking-milter/milter.sock"

ROOT_DIR = Path(os.environ.get("E2E_SENDMAIL_ROOT", "/tmp/e2e-sendmail-root"))
PACKAGES = ("sendmail-bin", "sendmail-cf", "sendmail-base", "m4", "liblockfile1", "libwrap0")
# Shared libraries the sendmail binary needs, and the Debian 12 package of each;
# those missing on the machine are downloaded into the private root as well.
LIBRARY_PACKAGES = {
    "libwrap.so.0": "libwrap0", "liblockfile.so.1": "liblockfile1",
    "libdb-5.3.so": "libdb5.3", "libnsl.so.2": "libnsl2",
    "libldap-2.5.so.0": "libldap-2.5-0", "liblber-2.5.so.0": "libldap-2.5-0",
    "libsasl2.so.2": "libsasl2-2", "libtirpc.so.3": "libtirpc3",
    "libssl.so.3": "libssl3", "libcrypto.so.3": "libssl3",
}
APT_TIMEOUT = 300.0
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"
SYSLOG_SINK = Path(__file__).resolve().parent / "syslogsink.py"

_root_cache: "SendmailRoot | None" = None


# ---- the private root -----------------------------------------------------------

@dataclass(frozen=True)
class SendmailRoot:
    path: Path

    @property
    def sendmail(self) -> Path:
        return self.path / "usr/libexec/sendmail/sendmail"

    @property
    def m4(self) -> Path:
        return self.path / "usr/bin/m4"

    @property
    def cf_dir(self) -> Path:
        return self.path / "usr/share/sendmail/cf"

    @property
    def lib_dir(self) -> Path:
        return self.path / "usr/lib" / _multiarch()

    @property
    def version(self) -> str:
        try:
            return (self.path / ".complete").read_text().strip()
        except OSError:
            return "?"

    def env(self) -> dict:
        return dict(os.environ, LD_LIBRARY_PATH=str(self.lib_dir))


def _multiarch() -> str:
    try:
        r = subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True,
                           text=True, timeout=10)
        if r.returncode == 0 and r.stdout.strip():
            return r.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    machine = os.uname().machine
    return {"x86_64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu"}.get(machine,
                                                                              f"{machine}-linux-gnu")


def missing_reason() -> str | None:
    """Why a Sendmail instance cannot run here (None: it can, or can be set up)."""
    if os.geteuid() != 0:
        return "a private Sendmail needs root (namespaces, port binding, queue ownership)"
    if not os.path.exists(SMTP_SINK):
        return "smtp-sink is missing (apt-get install postfix: it ships smtp-sink)"
    if not os.path.exists(UNSHARE):
        return "unshare is missing (apt-get install util-linux)"
    root = ROOT_DIR
    if (root / ".complete").exists():
        return None
    if not shutil.which("apt-get") or not shutil.which("dpkg"):
        return "apt-get/dpkg are needed to fetch Sendmail into a private root"
    return None


def _run(argv, cwd=None, timeout=APT_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def _apt_download(packages, dest: Path) -> None:
    """``apt-get download`` into ``dest``; ``apt-get update`` once if apt lacks its lists."""
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o777)       # else apt warns that _apt cannot write there (and downloads as root)
    r = _run(["apt-get", "download", *packages], cwd=dest)
    if r.returncode != 0:
        first = r.stderr.strip()
        u = _run(["apt-get", "update", "-qq"])
        if u.returncode != 0:
            raise RuntimeError(f"apt-get download failed ({first}) and apt-get update failed "
                               f"({u.returncode}): {u.stderr.strip()[-1500:]}")
        r = _run(["apt-get", "download", *packages], cwd=dest)
        if r.returncode != 0:
            raise RuntimeError(f"apt-get download {' '.join(packages)} failed after apt-get "
                               f"update ({r.returncode}): {r.stderr.strip()[-1500:]}")


def _missing_libraries(root: SendmailRoot) -> list[str]:
    r = subprocess.run(["ldd", str(root.sendmail)], capture_output=True, text=True, timeout=30,
                       env=root.env())
    return re.findall(r"^\s*(\S+) => not found", r.stdout, re.M)


def sendmail_root(path: Path | None = None) -> SendmailRoot:
    """The private Sendmail root, downloaded and unpacked on first use (per machine)."""
    global _root_cache
    path = Path(path or ROOT_DIR)
    if _root_cache is not None and _root_cache.path == path and (path / ".complete").exists():
        return _root_cache
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.parent / (path.name + ".lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)      # another pytest run may be unpacking it
        root = SendmailRoot(path)
        if not (path / ".complete").exists():
            _make_root(root)
        _root_cache = root
        return root


def _make_root(root: SendmailRoot) -> None:
    path = root.path
    shutil.rmtree(path, ignore_errors=True)
    debs = path / "debs"
    _apt_download(PACKAGES, debs)
    for deb in sorted(debs.glob("*.deb")):
        r = _run(["dpkg", "-x", deb, path], timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"dpkg -x {deb} failed: {r.stderr}")
    if not root.sendmail.exists():
        raise RuntimeError(f"{root.sendmail} is missing after unpacking {list(debs.glob('*.deb'))}")
    # Fix 1: setgid makes the loader ignore LD_LIBRARY_PATH.
    os.chmod(root.sendmail, 0o755)
    missing = _missing_libraries(root)
    if missing:
        pkgs = sorted({LIBRARY_PACKAGES[m] for m in missing if m in LIBRARY_PACKAGES})
        unknown = [m for m in missing if m not in LIBRARY_PACKAGES]
        if unknown:
            raise RuntimeError(f"sendmail needs libraries with no known package: {unknown}")
        _apt_download(pkgs, debs)
        for pkg in pkgs:
            for deb in debs.glob(f"{pkg}_*.deb"):
                _run(["dpkg", "-x", deb, path], timeout=120)
        still = _missing_libraries(root)
        if still:
            raise RuntimeError(f"sendmail still misses {still} after unpacking {pkgs}")
    version = "?"
    for deb in debs.glob("sendmail-bin_*.deb"):
        version = deb.name.split("_")[1]
    (path / ".complete").write_text(f"sendmail-bin {version}\n")


# ---- .mc and .cf -------------------------------------------------------------------

def mc_lines(path: Path) -> str:
    """The m4 lines of a shipped .mc snippet: every line but empty and ``dnl`` comment lines."""
    lines = [line for line in Path(path).read_text().splitlines()
             if line.strip() and not line.startswith("dnl")]
    return "\n".join(lines) + "\n"


def split_relay_mc_lines() -> str:
    """deploy/sendmail/split-relay.mc's lines (for a Sendmail relaying to a split-mode milter)."""
    out = mc_lines(DEPLOY_SPLIT_RELAY_MC)
    if "SMTP_MAILER_MAXRCPTS" not in out:
        raise ValueError(f"{DEPLOY_SPLIT_RELAY_MC} sets no *_MAILER_MAXRCPTS")
    return out


def deploy_mc_lines(socket: SocketSpec | str | None = None) -> str:
    """The m4 lines of deploy/sendmail/tracking-milter.mc (comments dropped), with the
    milter socket replaced by ``socket`` (a SocketSpec, or a Sendmail ``S=`` value)."""
    out = mc_lines(DEPLOY_MC)
    if "INPUT_MAIL_FILTER(" not in out or PLACEHOLDER_SOCKET not in out:
        raise ValueError(f"{DEPLOY_MC} has no INPUT_MAIL_FILTER line with {PLACEHOLDER_SOCKET}")
    if socket is not None:
        out = out.replace(PLACEHOLDER_SOCKET, sendmail_socket(socket))
    return out


def sendmail_socket(socket: SocketSpec | str) -> str:
    """Sendmail's spelling of a milter socket: ``local:/path`` or ``inet:PORT@127.0.0.1``."""
    if isinstance(socket, str):
        return socket
    return f"local:{socket.path}" if socket.kind == "unix" else f"inet:{socket.port}@{LOOPBACK}"


def build_cf(mc_path: Path, cf_path: Path, root: SendmailRoot | None = None) -> str:
    """m4 the .mc into the .cf with the private root's m4 and cf files; returns m4's stderr."""
    root = root or sendmail_root()
    r = subprocess.run([str(root.m4), f"-D_CF_DIR_={root.cf_dir}/", str(root.cf_dir / "m4/cf.m4"),
                        str(mc_path)], capture_output=True, timeout=60, env=root.env())
    if r.returncode != 0 or not r.stdout:
        raise RuntimeError(f"m4 {mc_path} failed ({r.returncode}): {r.stderr.decode(errors='replace')}")
    Path(cf_path).write_bytes(r.stdout)
    return r.stderr.decode(errors="replace")


def cf_options(cf_text: str) -> dict:
    """``O Name=value`` lines of a .cf (options in force), last one wins."""
    out = {}
    for line in cf_text.splitlines():
        m = re.match(r"^O (\S+?)=(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def cf_filters(cf_text: str) -> dict:
    """``Xname, S=..., F=..., T=...`` lines: {name: {"S": ..., "F": ..., "T": ...}}."""
    out = {}
    for line in cf_text.splitlines():
        if line.startswith("X") and "," in line:
            name, rest = line[1:].split(",", 1)
            fields = {}
            for part in re.split(r",\s*(?=[A-Z]=)", rest.strip()):
                if "=" in part:
                    k, v = part.split("=", 1)
                    fields[k.strip()] = v.strip()
            out[name.strip()] = fields
    return out


# ---- smtp-sink ----------------------------------------------------------------------

@dataclass
class SinkMessage:
    """One transaction smtp-sink dumped. smtp-sink writes LF line ends (it drops every CR)
    and undoes dot-stuffing; ``data`` is the message as the client sent it, with CRLF
    line ends restored, and without smtp-sink's own Received field."""
    path: Path
    client_addr: str
    helo: str
    mail_from: str              # the MAIL FROM argument, e.g. "<s@example.com> SIZE=123"
    rcpts: list                 # RCPT TO arguments, e.g. ["<a@one.example>"]
    data: bytes

    @property
    def sender(self) -> str:
        return _angle(self.mail_from)

    @property
    def recipients(self) -> list[str]:
        return [_angle(r) for r in self.rcpts]

    @property
    def sendmail_queue_id(self) -> str | None:
        """The queue id in the first Received field (the relaying Sendmail's)."""
        m = re.search(rb"^Received: .*?\bwith [A-Z]+ id ([0-9A-Za-z]+)", self.data, re.S | re.M)
        return m.group(1).decode() if m else None


def _angle(arg: str) -> str:
    m = re.match(r"\s*<([^>]*)>", arg)
    return m.group(1) if m else arg.split()[0] if arg.split() else ""


def parse_sink_dump(path: Path) -> SinkMessage:
    raw = Path(path).read_bytes()
    lines = raw.split(b"\n")
    env = {"X-Client-Addr": "", "X-Helo-Args": "", "X-Mail-Args": ""}
    rcpts = []
    i = 0
    while i < len(lines) and lines[i].startswith(b"X-"):
        name, _, value = lines[i].decode("utf-8", "replace").partition(": ")
        if name == "X-Rcpt-Args":
            rcpts.append(value)
        else:
            env[name] = value
        i += 1
    # smtp-sink's three-line Received field ends its own part.
    if i < len(lines) and lines[i].startswith(b"Received: ") and b"(smtp-sink)" in lines[i + 1]:
        i += 3
    body = b"\n".join(lines[i:])
    if body.endswith(b"\n\n"):        # smtp-sink appends one empty line after the message
        body = body[:-1]
    return SinkMessage(Path(path), env["X-Client-Addr"], env["X-Helo-Args"], env["X-Mail-Args"],
                       rcpts, body.replace(b"\n", b"\r\n"))


class SmtpSink:
    """Postfix's smtp-sink on 127.0.0.1:``port``, dumping each transaction to ``dir``.

    A dump file is complete once the client got the 250 for its DATA (smtp-sink
    finishes the file first): wait for the sender's confirmation, e.g.
    ``SendmailInstance.wait_sent``, before reading ``messages()``.
    """

    START_TIMEOUT = 20.0

    def __init__(self, base: Path, port: int | None = None, hostname: str = "sink.test.localdomain"):
        self.base = Path(base)
        self.port = port or free_port()
        self.hostname = hostname
        self.dir = self.base / "sink"
        self.log_path = self.base / "smtp-sink.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "SmtpSink":
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        self.dir.mkdir(exist_ok=True)
        shutil.chown(self.dir, "nobody")      # smtp-sink refuses to dump as root: -u nobody
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [SMTP_SINK, "-u", "nobody", "-h", self.hostname, "-d", f"{self.dir}/%Y%m%d%H%M%S.",
                 "-t", "60", f"{LOOPBACK}:{self.port}", "256"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        try:
            wait_until(lambda: tcp_accepts(self.port), self.START_TIMEOUT, what=f"smtp-sink on {self.port}",
                       abort=lambda: "" if self.proc.poll() is None else f"exited {self.proc.returncode}")
        except Exception:
            self.stop()
            raise RuntimeError(f"smtp-sink did not start: {self.log()}") from None
        return self

    def stop(self) -> None:
        _stop_popen(self.proc, signal.SIGTERM, 10.0)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def files(self) -> list[Path]:
        return sorted((p for p in self.dir.iterdir() if p.is_file()),
                      key=lambda p: (p.stat().st_mtime, p.name)) if self.dir.is_dir() else []

    def messages(self) -> list[SinkMessage]:
        return [parse_sink_dump(p) for p in self.files()]

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def diagnostics(self, tail: int = 4000) -> str:
        state = "running" if self.alive() else "stopped"
        names = [p.name for p in self.files()]
        return (f"--- smtp-sink on port {self.port} ({state}), dumps {names[-20:]}\n"
                f"log tail:\n{self.log()[-tail:]}")


# ---- Sendmail ----------------------------------------------------------------------------

def _stop_popen(proc: subprocess.Popen | None, sig: int, timeout: float) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(sig)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def _group_members(pgid: int) -> list[int]:
    """PIDs whose process group is ``pgid`` (a group we created with start_new_session)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(entry))
    return out


@dataclass
class SendmailLogLine:
    line: str
    queue_id: str | None
    text: str


class SendmailInstance:
    """A private Sendmail daemon on 127.0.0.1:``port`` that relays everything to ``sink_port``.

    ``milter``: None or a SocketSpec; adds the lines of deploy/sendmail/tracking-milter.mc
    (``INPUT_MAIL_FILTER(tracking, S=local:..., F=T, T=...)`` and the macro lists).
    ``milter_macros=False`` leaves the macro lines out (only the INPUT_MAIL_FILTER line),
    to see what the milter gets from Sendmail's default lists plus its own setsymlist.
    ``mc_extra``: more .mc lines (before the MAILER lines), e.g. ``split_relay_mc_lines()``.
    ``daemon_name``: ``Name=`` of the listener, Sendmail's ``{daemon_name}``.
    ``smart_host_mailer``: the mailer that relays to the sink: ``relay`` (Sendmail's
    default for ``SMART_HOST``; breaks lines longer than 2040 octets) or ``esmtp``
    (what mail to the internet uses; breaks lines longer than 990 octets).
    ``sasl_users``: ``{name: password}`` turns on SMTP AUTH (PLAIN, LOGIN; Cyrus SASL
    with a private sasldb2), so the milter sees ``{auth_authen}``.
    ``queue_interval``: ``-q`` of the daemon (how often deferred mail is retried).
    """

    START_TIMEOUT = 30.0
    STOP_TIMEOUT = 15.0

    def __init__(self, base: str | os.PathLike | None = None, *, sink_port: int, milter=None,
                 port: int | None = None, hostname: str = "mta.test.localdomain",
                 daemon_name: str = "MTA", milter_macros: bool = True, mc_extra: str = "",
                 queue_interval: str = "1m",
                 sasl_users: dict | None = None, smart_host_mailer: str = "relay",
                 root: SendmailRoot | None = None):
        if os.geteuid() != 0:
            raise PermissionError("a private Sendmail needs root")
        self.root = root or sendmail_root()
        self.base = Path(base or tempfile.mkdtemp(prefix="e2e-sm-", dir="/tmp")).resolve()
        self.port = port or free_port()
        self.sink_port = sink_port
        self.milter = SocketSpec.parse(milter) if isinstance(milter, str) else milter
        self.hostname = hostname
        self.daemon_name = daemon_name
        self.milter_macros = milter_macros
        self.mc_extra = mc_extra
        self.queue_interval = queue_interval
        self.sasl_users = dict(sasl_users or {})
        self.smart_host_mailer = smart_host_mailer
        self.sasl_dir = self.base / "sasl"
        self.queue = self.base / "queue"
        self.mc_path = self.base / "test.mc"
        self.cf_path = self.base / "test.cf"
        self.maillog_path = self.base / "maillog"
        self.syslog_socket = self.base / "log.sock"
        self.stdout_path = self.base / "sendmail.out"
        self.proc: subprocess.Popen | None = None
        self.syslog_proc: subprocess.Popen | None = None
        self.started = False

    # ---- configuration -------------------------------------------------------

    def mc_text(self) -> str:
        b = self.base
        lines = [
            "divert(-1)",
            "# private e2e instance; generated by Tests/EndToEnd/harness/sendmail.py",
            "divert(0)dnl",
            "OSTYPE(`linux')dnl",
            f"define(`confDOMAIN_NAME', `{self.hostname}')dnl",
            f"define(`QUEUE_DIR', `{self.queue}')dnl",
            f"define(`STATUS_FILE', `{b}/statistics')dnl",
            f"define(`confPID_FILE', `{b}/sendmail.pid')dnl",
            f"define(`ALIAS_FILE', `{b}/aliases')dnl",
            f"define(`confSERVICE_SWITCH_FILE', `{b}/service.switch')dnl",
            f"define(`confHELP_FILE', `{self.root.path}/etc/mail/helpfile')dnl",
            "define(`confDONT_PROBE_INTERFACES', `True')dnl",
            "define(`confBIND_OPTS', `-DNSRCH -DEFNAMES')dnl",
            # the milter's socket is under /tmp (sticky, world-writable)
            "define(`confDONT_BLAME_SENDMAIL', `TrustStickyBit')dnl",
            "define(`confLOG_LEVEL', `9')dnl",
            "define(`confTO_IDENT', `0s')dnl",
            # A busy 2-core test machine reaches load averages of 20-40; Sendmail's defaults
            # (refuse at 12 x CPUs, queue-only at 8 x CPUs) then turn tests into timeouts.
            "define(`confREFUSE_LA', `1000')dnl",
            "define(`confQUEUE_LA', `1000')dnl",
            "define(`confDELAY_LA', `0')dnl",
            ("define(`SMART_HOST', `[127.0.0.1]')dnl" if self.smart_host_mailer == "relay" else
             f"define(`SMART_HOST', `{self.smart_host_mailer}:[127.0.0.1]')dnl"),
            f"define(`RELAY_MAILER_ARGS', `TCP $h {self.sink_port}')dnl",
            f"define(`ESMTP_MAILER_ARGS', `TCP $h {self.sink_port}')dnl",
            "FEATURE(`nocanonify')dnl",
            "FEATURE(`no_default_msa')dnl",
            "FEATURE(`accept_unresolvable_domains')dnl",
            f"DAEMON_OPTIONS(`Port={self.port}, Addr={LOOPBACK}, Name={self.daemon_name}, Family=inet')dnl",
        ]
        if self.sasl_users:
            lines += ["define(`confAUTH_MECHANISMS', `PLAIN LOGIN')dnl",
                      "TRUST_AUTH_MECH(`PLAIN LOGIN')dnl"]
        if self.milter is not None:
            mc = deploy_mc_lines(self.milter)
            if not self.milter_macros:
                mc = "".join(line + "\n" for line in mc.splitlines()
                             if not line.startswith("define(`confMILTER_MACROS_"))
            lines.append(mc.rstrip("\n"))
        if self.mc_extra:
            lines.append(self.mc_extra.rstrip("\n"))
        lines += ["MAILER(`local')dnl", "MAILER(`smtp')dnl"]
        return "\n".join(lines) + "\n"

    def write_config(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        self.queue.mkdir(exist_ok=True)
        os.chmod(self.queue, 0o700)
        (self.base / "aliases").write_text("")
        (self.base / "statistics").write_text("")
        (self.base / "service.switch").write_text("hosts files\naliases files\n")
        if self.sasl_users:
            self._write_sasl()
        self.mc_path.write_text(self.mc_text())
        build_cf(self.mc_path, self.cf_path, self.root)

    def _write_sasl(self) -> None:
        """``sasl/Sendmail.conf`` and ``sasl/sasldb2``; the namespace mounts ``sasl/`` on
        /usr/lib/sasl2, where Cyrus SASL looks for Sendmail.conf (after /etc/sasl2 and
        /etc/sasl, which do not exist here)."""
        from . import sasl
        self.sasl_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.sasl_dir, 0o755)
        db = self.sasl_dir / "sasldb2"
        for user, password in self.sasl_users.items():
            r = subprocess.run([sasl.SASLPASSWD2, "-c", "-p", "-f", str(db), "-u", self.hostname, user],
                               input=password.encode(), capture_output=True, timeout=30)
            if r.returncode != 0:
                raise RuntimeError(f"saslpasswd2 for {user} failed: {r.stderr.decode(errors='replace')}")
        os.chmod(db, 0o600)
        (self.sasl_dir / "Sendmail.conf").write_text(
            "pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\n"
            f"sasldb_path: {db}\n")

    # ---- life cycle ------------------------------------------------------------

    def _namespace_script(self) -> str:
        hostdev = self.base / "hostdev"
        links = " ".join(f"ln -s {hostdev}/{n} /dev/{n};" for n in
                         ("null", "zero", "full", "random", "urandom", "tty"))
        return (
            "set -e; "
            f"hostname {self.hostname}; "
            f"mkdir -p {hostdev}; mount --bind /dev {hostdev}; "
            "mount -t tmpfs -o mode=755,size=64k e2e-sendmail-dev /dev; "
            f"{links} ln -s /proc/self/fd /dev/fd; ln -s {self.syslog_socket} /dev/log; "
            + (f"mount --bind {self.sasl_dir} /usr/lib/sasl2; " if self.sasl_users else "") +
            f"exec {self.root.sendmail} -C {self.cf_path} -bD -q{self.queue_interval}"
        )

    def start(self) -> "SendmailInstance":
        self.write_config()
        with open(self.stdout_path, "ab") as out:
            self.syslog_proc = subprocess.Popen(
                [sys.executable, str(SYSLOG_SINK), str(self.syslog_socket), str(self.maillog_path)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
        wait_until(lambda: self.syslog_socket.exists(), 10.0, what="syslog sink socket",
                   abort=lambda: "" if self.syslog_proc.poll() is None else "syslog sink exited")
        with open(self.stdout_path, "ab") as out:
            # unshare execs sh, which execs sendmail: self.proc.pid is the daemon, and it
            # leads its own process group (start_new_session), with every child it forks.
            self.proc = subprocess.Popen(
                [UNSHARE, "--uts", "--mount", "--propagation", "private", "sh", "-c",
                 self._namespace_script()],
                stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=self.root.env(),
                start_new_session=True)
        self.started = True
        try:
            wait_until(lambda: tcp_accepts(self.port), self.START_TIMEOUT, interval=0.1,
                       what=f"sendmail on {LOOPBACK}:{self.port}",
                       abort=lambda: "" if self.proc.poll() is None else f"exited {self.proc.returncode}")
        except Exception as e:
            self.stop()
            raise RuntimeError(f"{e}\nstdout/stderr: {self.output()[-2000:]}\n"
                               f"maillog: {self.maillog()[-2000:]}") from None
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """SIGTERM to the daemon, bounded wait, then SIGKILL to what is left of its group."""
        if not self.started:
            return
        pgid = self.proc.pid
        _stop_popen(self.proc, signal.SIGTERM, self.STOP_TIMEOUT)
        # children (SMTP sessions, queue runners) that outlived the daemon
        deadline = time.monotonic() + 5.0
        while _group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _group_members(pgid):
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _stop_popen(self.syslog_proc, signal.SIGTERM, 5.0)
        self.started = False

    def __enter__(self) -> "SendmailInstance":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- SMTP -----------------------------------------------------------------

    def send(self, mail_from: str, to_list, message: bytes, **kwargs) -> SendResult:
        """One SMTP transaction (PostfixInstance.send's client); ``queue_id`` from
        Sendmail's ``250 2.0.0 QID Message accepted for delivery``."""
        result = PostfixInstance.send(self, mail_from, to_list, message, **kwargs)
        if result.queue_id is None and result.code == 250 and result.stage == "data":
            m = re.match(r"2\.0\.0 ([0-9A-Za-z]+) Message accepted", result.reply)
            if m:
                result.queue_id = m.group(1)
        return result

    # ---- log ------------------------------------------------------------------------

    def maillog(self) -> str:
        try:
            return self.maillog_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_lines(self, queue_id: str | None = None) -> list[SendmailLogLine]:
        """Sendmail's syslog lines (``Nov 25 16:09:55 sm-mta[123]: QID: text``), parsed."""
        out = []
        for line in self.maillog().splitlines():
            m = _LOG_LINE.match(line)
            if not m or (queue_id is not None and m["qid"] != queue_id):
                continue
            out.append(SendmailLogLine(line, m["qid"], m["text"]))
        return out

    def deliveries(self, queue_id: str | None = None) -> list[SendmailLogLine]:
        """Delivery status lines: ``QID: to=<r>, ..., stat=Sent (...)`` / ``stat=Deferred: ...``."""
        return [entry for entry in self.log_lines(queue_id)
                if entry.text.startswith("to=") and " stat=" in entry.text]

    def wait_sent(self, queue_id: str, n: int = 1, timeout: float = 30.0) -> list[SendmailLogLine]:
        """Wait until ``n`` recipients of ``queue_id`` are logged ``stat=Sent``."""
        def sent():
            return sum(_rcpt_count(entry.text)
                       for entry in self.deliveries(queue_id) if "stat=Sent" in entry.text)
        try:
            wait_until(lambda: sent() >= n, timeout, interval=0.1,
                       what=f"{n} recipients of {queue_id} sent")
        except TimeoutError as e:
            raise TimeoutError(f"{e}; maillog tail:\n{self.maillog()[-3000:]}") from None
        return [e for e in self.deliveries(queue_id) if "stat=Sent" in e.text]

    def queue_files(self) -> list[Path]:
        return [p for p in self.queue.iterdir() if p.is_file()] if self.queue.is_dir() else []

    def output(self) -> str:
        try:
            return self.stdout_path.read_text(errors="replace")
        except OSError:
            return ""

    def diagnostics(self, tail: int = 4000) -> str:
        state = "running" if self.alive() else "stopped"
        return (f"--- sendmail {self.base} (port {self.port}, {state}) maillog tail:\n"
                f"{self.maillog()[-tail:]}\nstdout/stderr:\n{self.output()[-1000:]}")

    def cleanup_files(self) -> None:
        if not self.started:
            shutil.rmtree(self.base, ignore_errors=True)


_LOG_LINE = re.compile(r"^(?P<time>\w{3} [ \d]\d \d\d:\d\d:\d\d) (?P<ident>[\w.-]+)\[(?P<pid>\d+)\]: "
                       r"(?:(?P<qid>[0-9A-Za-z]{14}): )?(?P<text>.*)$")


def _rcpt_count(text: str) -> int:
    """Recipients named in a ``to=<a>,<b>, delay=...`` log text."""
    m = re.match(r"to=(.*?), (?:ctladdr|delay)=", text)
    return len(re.findall(r"<[^>]*>", m.group(1))) if m else 1


# ---- the pair: Sendmail relaying into smtp-sink ----------------------------------------------

class SendmailPair:
    """A Sendmail that relays to its own smtp-sink; ``relay()`` returns what the sink got."""

    def __init__(self, sendmail: SendmailInstance, sink: SmtpSink):
        self.sendmail = sendmail
        self.sink = sink

    @property
    def port(self) -> int:
        return self.sendmail.port

    def send(self, *args, **kwargs) -> SendResult:
        return self.sendmail.send(*args, **kwargs)

    def relay(self, mail_from: str, to_list, message: bytes, timeout: float = 30.0, **kwargs):
        """Send one message through Sendmail; returns (SendResult, [SinkMessage]) where the
        list holds the sink's transactions of this message (empty when it was refused)."""
        if isinstance(to_list, str):
            to_list = [to_list]
        result = self.sendmail.send(mail_from, to_list, message, **kwargs)
        if not result.ok or not result.queue_id:
            return result, []
        accepted = sum(1 for c, _ in result.rcpt_replies.values() if c in (250, 251))
        self.sendmail.wait_sent(result.queue_id, accepted, timeout=timeout)
        got = [m for m in self.sink.messages() if m.sendmail_queue_id == result.queue_id]
        return result, got

    def stop(self) -> None:
        self.sendmail.stop()
        self.sink.stop()

    def diagnostics(self, tail: int = 4000) -> str:
        return self.sendmail.diagnostics(tail) + "\n" + self.sink.diagnostics(1000)


def start_sendmail(res, *, milter=None, sink: SmtpSink | None = None, **kwargs) -> SendmailPair:
    """Start an smtp-sink (unless given) and a Sendmail relaying to it, registered with
    ``res`` (a harness Resources) so they stop with the test. Returns a SendmailPair."""
    base = res.base / res.unique("sendmail")
    if sink is None:
        sink = SmtpSink(base)
        res.items.append(sink)
        sink.start()
    sm = SendmailInstance(base, sink_port=sink.port, milter=milter, **kwargs)
    res.items.append(sm)
    sm.start()
    return SendmailPair(sm, sink)


def split_sendmail_received(data: bytes) -> tuple[bytes, bytes]:
    """(the Received field Sendmail prepended, the rest of the message)."""
    from .message import split_message
    fields, _ = split_message(data)
    if not fields or fields[0].name.lower() != "received" or b"(8." not in fields[0].raw:
        first = fields[0].raw[:200] if fields else data[:200]
        raise ValueError(f"message does not start with Sendmail's Received: {first!r}")
    n = len(fields[0].raw)
    return data[:n], data[n:]

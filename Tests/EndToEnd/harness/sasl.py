"""SMTP AUTH for a private Postfix: Cyrus SASL with a private sasldb2.

``PostfixInstance(sasl_users={"acme": "secret"})`` turns on
``smtpd_sasl_auth_enable`` with ``smtpd_sasl_type = cyrus`` and writes, under the
instance's config directory, ``sasl/smtpd.conf`` (auxprop/sasldb, PLAIN and
LOGIN) and ``sasl/sasldb2`` made with ``saslpasswd2`` (package ``sasl2-bin``).

Facts this relies on (Debian 12, Postfix 3.7, Cyrus SASL 2.1.28):
- Debian's Postfix looks for ``smtpd.conf`` in ``$config_directory/sasl`` (then
  ``/usr/lib/sasl``); ``cyrus_sasl_config_path`` in main.cf was not honoured.
- Users are stored with the realm ``myhostname``; with
  ``smtpd_sasl_local_domain`` empty the client logs in as the bare name and
  ``{auth_authen}`` (and Postfix's ``sasl_username=``) is the bare name too.
  With ``smtpd_sasl_local_domain = $myhostname`` it would be ``name@realm``.
- smtpd reads the database after dropping privileges, so it is group postfix.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SASLPASSWD2 = shutil.which("saslpasswd2") or "/usr/sbin/saslpasswd2"


def missing_reason() -> str | None:
    if not os.path.exists(SASLPASSWD2):
        return "saslpasswd2 is not installed (apt-get install sasl2-bin)"
    if not any(Path(d).glob("libsasldb.so*") for d in ("/usr/lib/x86_64-linux-gnu/sasl2",
                                                     "/usr/lib/aarch64-linux-gnu/sasl2",
                                                     "/usr/lib/sasl2")):
        return "the Cyrus sasldb plugin is missing (apt-get install libsasl2-modules-db)"
    return None


def main_cf_settings() -> dict:
    return {
        "smtpd_sasl_auth_enable": "yes",
        "smtpd_sasl_type": "cyrus",
        "smtpd_sasl_path": "smtpd",
        "smtpd_sasl_local_domain": "",
        "smtpd_sasl_security_options": "noanonymous",
        "smtpd_tls_auth_only": "no",
        "smtpd_relay_restrictions": "permit_sasl_authenticated, permit_mynetworks, reject",
    }


def write_files(etc: Path, realm: str, users: dict) -> Path:
    """``etc/sasl/smtpd.conf`` and ``etc/sasl/sasldb2``; returns the sasl dir."""
    sasl = Path(etc) / "sasl"
    sasl.mkdir(parents=True, exist_ok=True)
    os.chmod(sasl, 0o755)
    db = sasl / "sasldb2"
    for user, password in users.items():
        r = subprocess.run([SASLPASSWD2, "-c", "-p", "-f", str(db), "-u", realm, user],
                           input=password.encode(), capture_output=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError(f"saslpasswd2 for {user} failed ({r.returncode}): "
                               f"{r.stderr.decode(errors='replace')}")
    shutil.chown(db, "root", "postfix")
    os.chmod(db, 0o640)
    (sasl / "smtpd.conf").write_text(
        "pwcheck_method: auxprop\n"
        "auxprop_plugin: sasldb\n"
        "mech_list: PLAIN LOGIN\n"
        f"sasldb_path: {db}\n")
    return sasl

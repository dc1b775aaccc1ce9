"""footer-milter through a real Postfix: footer appended, header removed, big and parallel mail.

footer-milter --socket SPEC [--footer TEXT] [--remove-header NAME] appends
TEXT + CRLF to the body (default "Scanned by footer-milter") and deletes every
header called NAME (default X-Internal-Note).
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.message import (CRLF, build_message, header_values, split_message,
                             split_postfix_received, unique_message_id)
from harness.programs import DEFAULT_FOOTER, start_footer

pytestmark = pytest.mark.usefixtures("needs_postfix")

KINDS = ["unix", "inet"]


def message(body, message_id=None, extra=()) -> bytes:
    return build_message([
        ("From", "Sender <sender@example.com>"),
        ("To", "<rcpt@example.com>"),
        ("X-Internal-Note", "secret, to be removed"),
        ("Subject", "footer test"),
        ("Message-ID", message_id or unique_message_id("footer")),
        ("x-internal-note", "second one,\n\tfolded, lower case"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        *extra,
    ], body)


def assert_footer_applied(delivered: bytes, original: bytes, footer: str = DEFAULT_FOOTER,
                          removed: str = "X-Internal-Note") -> None:
    _, rest = split_postfix_received(delivered)
    fields, body = split_message(rest)
    orig_fields, orig_body = split_message(original)
    assert body == orig_body + footer.encode() + CRLF, (
        f"body is not original + footer line; tail: {body[-200:]!r}")
    assert header_values(rest, removed) == [], f"{removed} still present"
    kept = [f.raw for f in orig_fields if f.name.lower() != removed.lower()]
    got = [f.raw for f in fields]
    missing = [k for k in kept if k not in got]
    assert not missing, f"original headers lost or altered: {missing}"
    assert [g for g in got if g in kept] == kept, "original headers reordered"


@pytest.mark.parametrize("kind", KINDS)
def test_footer_appended_and_internal_note_removed(e2e, footer_milters, kind):
    pf = e2e.postfix(milter=footer_milters.get(kind).socket)
    msg = message("Hello,\n.dot line\nFrom here\n\nbye\n")
    result = pf.send("sender@example.com", ["rcpt@example.com"], msg)
    assert result.ok, result
    (d,) = pf.wait_deliveries(1)
    assert_footer_applied(d.data, msg)


def test_footer_and_header_options(e2e, footer_bin):
    m = start_footer(e2e, footer_bin, "unix", footer="Custom footer: checked",
                     remove_header="X-Other")
    pf = e2e.postfix(milter=m.socket)
    msg = message("Body.\n", extra=[("X-Other", "drop me"), ("X-OTHER", "and me")])
    assert pf.send("sender@example.com", ["rcpt@example.com"], msg).ok
    (d,) = pf.wait_deliveries(1)
    assert_footer_applied(d.data, msg, footer="Custom footer: checked", removed="X-Other")
    # the default header is no longer the one removed
    assert len(header_values(d.data, "X-Internal-Note")) == 2


def big_body(size: int) -> bytes:
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.:;!?#=+*/_~" + CRLF
    n = size // len(line) + 1
    return b"".join(b"%07d " % i + line for i in range(n))


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_five_megabyte_message(e2e, footer_milters, kind):
    pf = e2e.postfix(milter=footer_milters.get(kind).socket)
    msg = message(big_body(5 * 1024 * 1024))
    assert len(msg) > 5 * 1024 * 1024
    result = pf.send("sender@example.com", ["rcpt@example.com"], msg, timeout=180)
    assert result.ok, result
    (d,) = pf.wait_deliveries(1, timeout=120)
    assert_footer_applied(d.data, msg)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_two_hundred_parallel_messages(e2e, footer_milters, kind):
    pf = e2e.postfix(milter=footer_milters.get(kind).socket)
    originals = {}
    for i in range(200):
        mid = unique_message_id(f"par{i}")
        originals[mid] = message(f"Message number {i}.\n", message_id=mid)

    def send(item):
        mid, msg = item
        return mid, pf.send("sender@example.com", [f"rcpt{hash(mid) % 1000}@example.com"], msg)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(send, originals.items(), timeout=300))
    failed = [(mid, r) for mid, r in results if not r.ok]
    assert not failed, f"{len(failed)} of 200 not accepted, e.g. {failed[:3]}"

    deliveries = pf.wait_deliveries(200, timeout=180)
    assert len(deliveries) == 200
    seen = set()
    for d in deliveries:
        (mid,) = header_values(d.data, "Message-ID")
        assert mid not in seen, f"{mid} delivered twice"
        seen.add(mid)
        assert_footer_applied(d.data, originals[mid])
    assert seen == set(originals)

"""The same message, rewritten through Sendmail and through Postfix, carries the same body:
links tracked and pixels inserted in the same places, tokens decoding to the same targets.

Each MTA's copy gets its own message id (so other tokens); both are compared after every
tracked URL is replaced by what it decodes to (oracle.canonical).
"""

from __future__ import annotations

import pytest

from harness.message import build_message, header_values, unique_message_id
from harness.milter import message_record
from harness.programs import start_tracking
from harness.sendmail import start_sendmail
from harness.through import RCPT, via_postfix, via_sendmail
from harness.tracking import api_header_value
from oracle.canonical import URL_RE, canonical
from oracle.runner import TRACKING, Tool

HTML = (
    b"<html><head><title>Offer</title></head>\r\n<body style=\"margin:0\">\r\n"
    b"<p>Hello &amp; welcome. <a href=\"https://shop.example/sale?a=1&amp;b=2\" data-msys-linkname=\"Sale\">Sale</a>\r\n"
    b"<a href='http://shop.example/account' data-msys-clicktrack=\"0\">account</a>\r\n"
    b"<a href=mailto:help@shop.example>mail us</a> <a HREF = \"https://shop.example/u\" data-msys-unsubscribe=\"1\">unsubscribe</a></p>\r\n"
    b"<!--[if mso]><v:roundrect href=\"https://shop.example/vml\">Button</v:roundrect><![endif]-->\r\n"
    b"</body></html>\r\n"
)


def message(message_id: str) -> bytes:
    return build_message([
        ("From", "Sender <sender@example.com>"), ("To", f"<{RCPT}>"), ("Subject", "same body through both"),
        ("Date", "Tue, 25 Nov 2025 12:00:00 +0000"), ("Message-ID", message_id), ("MIME-Version", "1.0"),
        ("Content-Type", "text/html; charset=utf-8"), ("X-MSYS-API", api_header_value()),
    ], HTML)


@pytest.mark.usefixtures("needs_postfix", "needs_sendmail")
def test_sendmail_and_postfix_deliver_the_same_rewritten_body(e2e, tracking_bin):
    milter = start_tracking(e2e, tracking_bin, "unix", {"tracking": dict(TRACKING)})
    tool = Tool(tracking_bin, e2e)
    tool.configs[True] = milter.config_path          # decode with the milter's own key file
    sm = start_sendmail(e2e, milter=milter.socket)
    pf = e2e.postfix(milter=milter.socket)

    via_sm = via_sendmail(sm, message(unique_message_id("sm")))
    via_pf = via_postfix(pf, message(unique_message_id("pf")))
    for copy in (via_sm.data, via_pf.data):
        assert header_values(copy, "X-MSYS-API") == []
        urls = [m.group(0).decode() for m in URL_RE.finditer(copy)]
        assert len([u for u in urls if "/f/" in u]) == 3, urls     # sale, unsubscribe, VML button
        assert len([u for u in urls if "/q/" in u]) == 2, urls     # top and bottom pixel

    def comparable(data: bytes) -> bytes:
        # The Message-ID differs on purpose (one message each); everything else must not.
        lines = [ln for ln in canonical(data, tool.decode).split(b"\r\n") if not ln.lower().startswith(b"message-id:")]
        return b"\r\n".join(lines)

    a, b = comparable(via_sm.data), comparable(via_pf.data)
    assert b"<<UNDECODABLE" not in a and b"<<UNDECODABLE" not in b
    assert a == b
    for passage in (via_sm, via_pf):
        rec = milter.wait_record(message_record(queue_id=passage.queue_id), what=f"log line {passage.queue_id}")
        assert rec["outcome"] == "rewritten" and rec["links_tracked"] == "3" and rec["pixels"] == "2", rec

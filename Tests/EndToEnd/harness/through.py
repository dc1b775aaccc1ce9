"""Send one message through a real MTA (with whatever milter it runs) and get back what
it delivered, minus the MTA's own trace field: the pieces for tests that compare what
Postfix and Sendmail deliver for the same input.

- ``via_postfix(pf, msg)``: ``pf`` a PostfixInstance; the message Postfix delivered to
  its pipe transport, without the ``Received:`` field Postfix prepended.
- ``via_sendmail(pair, msg)``: ``pair`` a SendmailPair (``sendmail.start_sendmail``);
  the message smtp-sink received from Sendmail, without Sendmail's ``Received:``.

Both return a ``Passage``: the SMTP result (``queue_id`` for finding the milter's log
line) and the delivered bytes (CRLF line ends). Both refuse anything but one accepted
recipient and one delivery. What each MTA itself changes, so that a comparison is fair:

- Postfix (this harness): nothing but its Received field.
- Sendmail adds ``Date:``, ``From:`` and ``Message-Id:`` when they are missing, and its
  mailers break lines longer than their ``L=`` (relay: 2040 octets, esmtp: 990) into
  ``...!`` + CRLF + space + rest. Give test messages those three headers and shorter lines.

With link rewriting, the two MTAs' copies differ in the sealed tokens (random message
id per message): compare them after decoding the URLs (``tracking-milter decode``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .message import split_postfix_received
from .postfix import SendResult

SENDER = "sender@example.com"
RCPT = "rcpt@example.com"


@dataclass
class Passage:
    result: SendResult
    data: bytes          # as delivered, without the MTA's Received field

    @property
    def queue_id(self) -> str | None:
        return self.result.queue_id


def via_postfix(pf, message: bytes, *, sender: str = SENDER, rcpt: str = RCPT,
                timeout: float = 30.0, **send_kwargs) -> Passage:
    result = pf.send(sender, [rcpt], message, **send_kwargs)
    if not result.ok or not result.queue_id:
        raise AssertionError(f"Postfix did not accept the message: {result}")
    delivery = pf.wait_delivery_of(result.queue_id, timeout=timeout)
    return Passage(result, split_postfix_received(delivery.data)[1])


def via_sendmail(pair, message: bytes, *, sender: str = SENDER, rcpt: str = RCPT,
                 timeout: float = 30.0, **send_kwargs) -> Passage:
    from .sendmail import split_sendmail_received
    result, got = pair.relay(sender, [rcpt], message, timeout=timeout, **send_kwargs)
    if not result.ok:
        raise AssertionError(f"Sendmail did not accept the message: {result}")
    if len(got) != 1:
        raise AssertionError(f"smtp-sink got {len(got)} transactions for {result.queue_id}, "
                             f"want 1: {[m.path for m in got]}")
    return Passage(result, split_sendmail_received(got[0].data)[1])

"""A bounded SMTP load driver: many messages over N concurrent sessions, with retries.

``send_load(port, messages, sessions=N, per_session=K)`` runs N worker threads;
each opens an SMTP session to 127.0.0.1:``port``, sends up to K messages in it
(MAIL, RCPT, DATA per message), QUITs and opens the next. Every transaction is
recorded as an ``Attempt`` (session number, when the session opened, when the
transaction started and ended, the reply code, the stage it ended at and the
queue id from ``250 ... queued as``).

A transaction refused with a 4xx (or a dropped connection) ends its session and,
when ``max_attempts`` allows, the message is queued again no earlier than
``retry_delay`` seconds later, the way an MTA's queue retries a deferral; 5xx
replies are final. Bounded: by ``max_attempts`` per message and by ``deadline``
seconds for the whole run (what is left then is reported, not retried).

``LoadResult.accepted`` maps each Message-ID to its accepted attempt;
``unaccepted`` lists those never accepted.
"""

from __future__ import annotations

import re
import smtplib
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from .net import LOOPBACK


@dataclass
class Attempt:
    mid: str
    session: int            # serial number of the SMTP session (1, 2, ...)
    session_opened: float   # time.monotonic() of the session's 220 greeting
    started: float          # MAIL FROM sent
    ended: float            # final reply received
    code: int
    stage: str              # connect, ehlo, mail, rcpt, data-command, data, disconnected
    reply: str
    queue_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.stage == "data" and self.code == 250


@dataclass
class LoadResult:
    attempts: list[Attempt] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)       # every Message-ID, in order
    started: float = 0.0
    ended: float = 0.0
    timed_out: bool = False

    @property
    def wall(self) -> float:
        return self.ended - self.started

    @property
    def accepted(self) -> dict[str, Attempt]:
        out = {}
        for a in self.attempts:
            if a.ok:
                if a.mid in out:      # the driver never resends an accepted message
                    raise AssertionError(f"{a.mid} accepted twice: {out[a.mid]} and {a}")
                out[a.mid] = a
        return out

    @property
    def unaccepted(self) -> list[str]:
        acc = self.accepted
        return [m for m in self.sent if m not in acc]

    def refused(self) -> list[Attempt]:
        return [a for a in self.attempts if not a.ok]

    def sessions(self) -> dict[int, list[Attempt]]:
        out: dict[int, list[Attempt]] = {}
        for a in self.attempts:
            out.setdefault(a.session, []).append(a)
        return out


class _Work:
    """Messages waiting to be sent: (not_before, mid, attempts so far)."""

    def __init__(self, mids):
        self.ready = deque((0.0, m, 0) for m in mids)
        self.waiting: list[tuple[float, str, int]] = []
        self.in_flight = 0
        self.lock = threading.Condition()

    def take(self, stop_at: float):
        """The next message due, or None when nothing is left (or the deadline passed)."""
        with self.lock:
            while True:
                now = time.monotonic()
                if now >= stop_at:
                    return None
                due = [w for w in self.waiting if w[0] <= now]
                for w in due:
                    self.waiting.remove(w)
                    self.ready.append(w)
                if self.ready:
                    self.in_flight += 1
                    return self.ready.popleft()
                if not self.waiting and self.in_flight == 0:
                    return None
                nxt = min((w[0] for w in self.waiting), default=now + 0.2)
                self.lock.wait(timeout=max(0.01, min(nxt - now, stop_at - now, 0.2)))

    def done(self, item, retry_at: float | None = None):
        with self.lock:
            self.in_flight -= 1
            if retry_at is not None:
                self.waiting.append((retry_at, item[1], item[2] + 1))
            self.lock.notify_all()


def send_load(port: int, messages: list[tuple[str, bytes]], *, sessions: int = 20,
              per_session: int = 10, sender: str = "sender@example.com",
              rcpt: str = "rcpt@example.com", max_attempts: int = 1, retry_delay: float = 1.0,
              deadline: float = 300.0, timeout: float = 120.0, pace: float = 0.0,
              host: str = LOOPBACK) -> LoadResult:
    """Send every (Message-ID, bytes) once, over ``sessions`` concurrent SMTP sessions.

    ``pace``: at least this many seconds between the starts of one worker's
    transactions (0: as fast as the server answers), to stretch a run over time."""
    data = dict(messages)
    result = LoadResult(sent=[m for m, _ in messages])
    work = _Work(result.sent)
    record_lock = threading.Lock()
    session_no = [0]
    result.started = time.monotonic()
    stop_at = result.started + deadline

    def record(a: Attempt):
        with record_lock:
            result.attempts.append(a)

    def finish(item, a: Attempt):
        record(a)
        retry = (not a.ok and a.code < 500 and item[2] + 1 < max_attempts)
        work.done(item, time.monotonic() + retry_delay if retry else None)

    def worker():
        last_start = [0.0]
        while True:
            item = work.take(stop_at)
            if item is None:
                return
            with record_lock:
                session_no[0] += 1
                sno = session_no[0]
            opened = time.monotonic()
            try:
                smtp = smtplib.SMTP(host, port, local_hostname="load.e2e.test", timeout=timeout)
                opened = time.monotonic()
                code, text = smtp.ehlo()
            except (OSError, smtplib.SMTPException) as e:
                now = time.monotonic()
                finish(item, Attempt(item[1], sno, opened, now, now, 421, "connect", str(e)))
                continue
            if code != 250:
                now = time.monotonic()
                finish(item, Attempt(item[1], sno, opened, now, now, code, "ehlo", _text(text)))
                _close(smtp)
                continue
            n = 0
            while item is not None:
                if pace and last_start[0]:
                    time.sleep(max(0.0, min(last_start[0] + pace - time.monotonic(), pace)))
                last_start[0] = time.monotonic()
                a = _transaction(smtp, sno, opened, item[1], data[item[1]], sender, rcpt)
                finish(item, a)
                n += 1
                if not a.ok or n >= per_session:
                    break
                item = work.take(stop_at)
            _close(smtp)

    threads = [threading.Thread(target=worker, name=f"load-{i}", daemon=True) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, stop_at - time.monotonic()) + timeout + 5)
    result.ended = time.monotonic()
    result.timed_out = result.ended >= stop_at or any(t.is_alive() for t in threads)
    return result


def _transaction(smtp, sno, opened, mid, message, sender, rcpt) -> Attempt:
    started = time.monotonic()

    def out(code, stage, text, qid=None):
        return Attempt(mid, sno, opened, started, time.monotonic(), code, stage, _text(text), qid)
    try:
        code, text = smtp.mail(sender)
        if code != 250:
            return out(code, "mail", text)
        code, text = smtp.rcpt(rcpt)
        if code not in (250, 251):
            return out(code, "rcpt", text)
        try:
            code, text = smtp.data(message)
        except smtplib.SMTPDataError as e:
            return out(e.smtp_code, "data-command", e.smtp_error)
        m = re.search(r"queued as ([0-9A-Za-z]+)", _text(text))
        return out(code, "data", text, m.group(1) if m else None)
    except (smtplib.SMTPServerDisconnected, OSError) as e:
        return out(421, "disconnected", str(e))


def _close(smtp) -> None:
    try:
        smtp.quit()
    except Exception:
        smtp.close()


def _text(t) -> str:
    return t.decode("utf-8", "replace") if isinstance(t, bytes) else str(t)

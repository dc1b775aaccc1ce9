"""Unit tests of the harness helpers themselves (no MTA, no milter needed)."""

import json

import pytest

from harness.logparse import as_bool, as_json, as_list, parse_line, parse_lines, parse_logfmt
from harness.message import (build_message, header_values, remove_header, split_message,
                             split_postfix_received)
from harness.sockspec import SocketSpec
from harness.trackingconfig import to_yaml, tracking_config


def test_logfmt_plain_and_quoted_values():
    line = ('time=2025-11-25T12:00:00Z level=info msg=message queue_id=4XyZ '
            'header_message_id="<a@b>" campaign=spring metadata="{\\"k\\":\\"v\\"}" '
            'tags=a,b open=true click=false outcome=unchanged')
    r = parse_logfmt(line)
    assert r["queue_id"] == "4XyZ"
    assert r["header_message_id"] == "<a@b>"
    assert as_json(r["metadata"]) == {"k": "v"}
    assert as_list(r["tags"]) == ["a", "b"]
    assert as_bool(r["open"]) is True and as_bool(r["click"]) is False


def test_logfmt_escapes_empty_and_bare_keys():
    r = parse_logfmt('a="x \\\\ y \\"q\\" \\n" b= c="" d e=\\u0041 f="\\u00e9"')
    assert r == {"a": 'x \\ y "q" \n', "b": "", "c": "", "d": True, "e": "\\u0041", "f": "é"}


def test_logfmt_unterminated_quote_is_an_error():
    with pytest.raises(ValueError):
        parse_logfmt('reason="never closed')


def test_json_lines_and_autodetect():
    recs = parse_lines(['{"msg":"message","campaign":"c","tags":["a","b"]}',
                        "msg=started socket=unix:/x", "", "garbage \"unterminated"])
    assert recs[0]["campaign"] == "c" and as_list(recs[0]["tags"]) == ["a", "b"]
    assert recs[1] == {"msg": "started", "socket": "unix:/x"}
    assert len(recs) == 2
    assert parse_line('{"a": 1}', "json") == {"a": 1}


def test_socket_spec_spellings():
    u = SocketSpec.unix("/tmp/x.sock")
    assert u.libmilter == u.postfix == u.miltertest == "unix:/tmp/x.sock"
    i = SocketSpec.inet(12345)
    assert i.libmilter == "inet:12345@127.0.0.1"
    assert i.postfix == "inet:127.0.0.1:12345"
    assert SocketSpec.parse("inet:127.0.0.1:12345") == i == SocketSpec.parse("inet:12345@127.0.0.1")
    with pytest.raises(ValueError):
        SocketSpec.unix("relative.sock")
    with pytest.raises(ValueError):
        SocketSpec.parse("inet:25@0.0.0.0")


def test_message_split_and_header_removal():
    msg = build_message([("From", "a@b"), ("X-Internal-Note", "one\n\tfolded"),
                         ("Subject", "s"), ("x-internal-note", "two")], "body\n.line\n")
    assert msg.endswith(b"body\r\n.line\r\n") and b"one\r\n\tfolded\r\n" in msg
    fields, body = split_message(msg)
    assert [f.name for f in fields] == ["From", "X-Internal-Note", "Subject", "x-internal-note"]
    assert fields[1].value == "one\tfolded"
    assert body == b"body\r\n.line\r\n"
    assert header_values(msg, "x-internal-NOTE") == ["one\tfolded", "two"]
    stripped = remove_header(msg, "X-Internal-Note")
    assert stripped == build_message([("From", "a@b"), ("Subject", "s")], "body\n.line\n")


def test_split_postfix_received():
    original = build_message([("Subject", "s")], "b\n")
    delivered = (b"Received: from client (unknown [127.0.0.1])\r\n\tby mta (Postfix) with ESMTP id X\r\n"
                 b"\tfor <r@example.com>; Tue, 25 Nov 2025 12:00:00 +0000 (UTC)\r\n" + original)
    added, rest = split_postfix_received(delivered)
    assert rest == original and added.startswith(b"Received: ")
    with pytest.raises(ValueError):
        split_postfix_received(original)


def test_tracking_config_yaml():
    cfg = tracking_config(SocketSpec.inet(2525), {"log": {"format": "json"},
                                                  "policy": [{"match": {"sender": "a@b"}}]})
    text = to_yaml(cfg)
    assert 'socket: "inet:2525@127.0.0.1"' in text
    assert "  format: \"json\"" in text and "strip_api_header: true" in text
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(text) == json.loads(json.dumps(cfg))

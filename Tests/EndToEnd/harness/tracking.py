"""X-MSYS-API test data and checks on tracking-milter's per-message log record (SPEC 2.2, 8)."""

from __future__ import annotations

import json

from .logparse import as_bool, as_json, as_list

GOOD_API = {
    "campaign_id": "spring",
    "metadata": {"k": "v", "n": 1},
    "tags": ["a", "b"],
}

# (id, X-MSYS-API value, the exact reply text after "550 " or None when SPEC
# leaves the wording open, only "5.6.0")
BAD_HEADERS = [
    ("malformed-json", '{"campaign_id": "spring", "metadata": {', None),
    ("campaign-65-bytes", json.dumps({"campaign_id": "c" * 65}),
     "5.6.0 smtpapi_campaign_id context is limited to 64 bytes"),
    ("metadata-not-object", json.dumps({"metadata": ["not", "an", "object"]}),
     "5.6.0 X-MSYS-API 'metadata' must be of type 'json object'"),
    # '%' is a format character for libmilter's smfi_setreply: the Milter library escapes it,
    # so the client reads the sender's text as it was.
    ("percent-in-reply", "=?x%s?Q?a?=", "5.6.0 X-MSYS-API encoded-word charset 'x%s' is not supported"),
]

HTML_BODY = (
    "<html><body>\n"
    '<p>Hi! <a href="http://example.com/offer?x=1&amp;y=2">offer</a>\n'
    '<a href="https://example.org/">site</a> <a href="mailto:a@example.com">mail</a></p>\n'
    "</body></html>\n"
)


def api_header_value(api: dict | None = None) -> str:
    return json.dumps(GOOD_API if api is None else api)


def check_good_record(rec: dict, api: dict | None = None, open_=False, click=False) -> None:
    """The log record of a message that carried ``api`` (default GOOD_API)."""
    api = GOOD_API if api is None else api
    problems = []
    if rec.get("campaign") != api["campaign_id"]:
        problems.append(f"campaign={rec.get('campaign')!r}, want {api['campaign_id']!r}")
    try:
        if as_json(rec.get("metadata")) != api["metadata"]:
            problems.append(f"metadata={rec.get('metadata')!r}, want {api['metadata']!r}")
    except (TypeError, ValueError):
        problems.append(f"metadata is not JSON: {rec.get('metadata')!r}")
    if as_list(rec.get("tags")) != api["tags"]:
        problems.append(f"tags={rec.get('tags')!r}, want {api['tags']!r}")
    if as_bool(rec.get("open")) is not open_:
        problems.append(f"open={rec.get('open')!r}, want {open_}")
    if as_bool(rec.get("click")) is not click:
        problems.append(f"click={rec.get('click')!r}, want {click}")
    if rec.get("outcome") not in ("unchanged",):
        problems.append(f"outcome={rec.get('outcome')!r}, want 'unchanged' (tracking is off)")
    assert not problems, "log record: " + "; ".join(problems) + f"\nrecord: {rec}"

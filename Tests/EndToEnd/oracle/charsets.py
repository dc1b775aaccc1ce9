"""Which charsets the rewriter may edit as bytes (SPEC 4).

ASCII-compatible here means: every byte below 0x80 always stands for that
ASCII character, so a byte-level rewrite of ``href="http://..."`` cannot cut a
multi-byte character. Single-byte charsets qualify when Python's codec maps
0x00-0x7F to ASCII; of the multi-byte ones only UTF-8 and the EUC family do.
Shift_JIS/CP932, Big5, GBK/GB18030, CP949 (= ks_c_5601-1987, UHC) and Johab use
trail bytes in the ASCII range; UTF-7 and HZ switch modes with ASCII bytes;
UTF-16/32 are not byte-oriented. Those, and names no codec knows, must be left
alone and named in the log line.

ISO-2022-JP (all forms) and ISO-2022-KR are *stateful*: 7-bit, with escape
sequences and SO/SI switching sets. The rewriter tracks links in their ASCII
state only; the judge reads such parts through Python's codec (``stateful_codec``)
and compares text, not bytes: escapes may move, the decoded text may not change.
ISO-2022-CN has no Python codec: rewriting it and leaving it alone are both
accepted.
"""

from __future__ import annotations

import codecs

SAFE_MULTIBYTE = {"utf_8", "euc_jp", "euc_jis_2004", "euc_jisx0213", "euc_kr", "gb2312"}

# e-mail / WHATWG names Python's codec registry does not know
ALIASES = {
    "x-mac-cyrillic": "mac_cyrillic", "x-mac-roman": "mac_roman", "x-mac-greek": "mac_greek",
    "x-mac-turkish": "mac_turkish", "x-mac-ce": "mac_latin2", "x-mac-centraleurroman": "mac_latin2",
    "x-mac-icelandic": "mac_iceland", "x-cp1250": "cp1250", "x-cp1251": "cp1251",
    "x-cp1252": "cp1252", "x-euc-jp": "euc_jp", "x-sjis": "shift_jis", "x-user-defined": None,
    "windows-874": "cp874", "ansi_x3.4-1968": "ascii",
}


def canonical(charset: str | None) -> str | None:
    """Python's codec name for a charset parameter (None: absent = us-ascii); '' when unknown."""
    if charset is None:
        return "ascii"
    name = charset.strip().strip('"').lower()
    if name in ALIASES:
        name = ALIASES[name] or ""
        if not name:
            return ""
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except (LookupError, ValueError):
        return ""


def stateful_codec(charset: str | None) -> str | None:
    """Python's codec for an ISO-2022 charset the rewriter handles (JP forms, KR), else None."""
    name = canonical(charset)
    return name if name and name.startswith("iso2022") else None


def classify(charset: str | None) -> str:
    """'safe' (rewritable as bytes), 'stateful' (ISO-2022, rewritten in its ASCII state),
    'unsafe' (known, not ASCII-compatible) or 'unknown'."""
    name = canonical(charset)
    if name == "":
        return "unknown"
    if name in SAFE_MULTIBYTE:
        return "safe"
    if name.startswith("iso2022"):
        return "stateful"
    if name.startswith(("iso2022", "utf_16", "utf_32", "utf_7", "hz")):
        return "unsafe"                 # stateful or not byte-oriented
    try:
        enc = codecs.encode("".join(map(chr, range(128))), name)
        dec = codecs.decode(bytes(range(128)), name)
    except (UnicodeError, LookupError, ValueError):
        return "unsafe"
    if enc != bytes(range(128)) or dec != "".join(map(chr, range(128))):
        return "unsafe"
    # single-byte? 128 high bytes in a row must give 128 characters (a multi-byte
    # codec pairs lead and trail bytes, e.g. Shift_JIS 0x81 0x82)
    try:
        single = len(codecs.decode(bytes(range(128, 256)), name, "replace")) == 128 and \
            len(codecs.decode(bytes([0x81, 0x41, 0xA4, 0x40, 0xB0, 0x5C]), name, "replace")) == 6
    except (UnicodeError, LookupError):
        single = False
    return "safe" if single else "unsafe"


# Names whose byte layout is in doubt, so leaving the part alone and rewriting it
# are both accepted: ks_c_5601-1987 is EUC-KR to Python but CP949 (ASCII trail
# bytes) in Microsoft's mail; the x-mac-* names are known to WHATWG, not IANA.
EITHER = {"ks_c_5601-1987", "ks_c_5601", "ksc5601"} | {k for k in ALIASES if k.startswith("x-mac-")} \
    | {"iso-2022-cn", "iso-2022-cn-ext", "csiso2022cn"}


def expectation(charset: str | None) -> str:
    """'rewrite', 'skip' or 'either' for a displayed part with this charset parameter."""
    if charset is not None and charset.strip().strip('"').lower() in EITHER:
        return "either"
    return "rewrite" if classify(charset) in ("safe", "stateful") else "skip"


def text_codec(charset: str | None) -> str:
    """The codec used to read a part's bytes as text for html5lib (latin-1 when unknown)."""
    name = canonical(charset)
    if classify(charset) == "stateful":
        return "utf-8"          # the judge has transcoded the part (checks.transcode_stateful)
    return name if name and classify(charset) == "safe" else "latin-1"

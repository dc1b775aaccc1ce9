"""HTML as html5lib sees it, normalised for comparing the rewriter's input and output.

``html_view(text)`` parses with html5lib (the WHATWG algorithm browsers use) and
flattens the tree into comparable events: doctype, start tags with sorted
attributes, end tags, merged text, comments. Conditional comments
(``<!--[if mso]> ... <![endif]-->``) are parsed again as an HTML fragment, so
the links inside them (VML buttons, Outlook-only tables) are compared like the
rest. ``<a>``/``<area>`` elements become *link* events whose ``href`` is kept
aside, so trees compare apart from href values and the links compare one by
one. ``<img>`` elements whose ``src`` is an open-pixel URL are set aside as
pixels, and ``data-msys-*`` attributes as annotations.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import html5lib

HTML_WS = " \t\n\f\r"
CONDITIONAL_RE = re.compile(r"\A(\s*\[if\b[^\]]*\]>)(.*)(<!\[endif\]\s*)\Z", re.S | re.I)
_walker = html5lib.getTreeWalker("etree")


@dataclass
class Link:
    tag: str
    href: str | None            # the attribute value (entity-decoded), None when absent
    attrs: dict                 # all attributes, names lower-case
    in_conditional: bool
    ancestors: tuple
    index: int                  # position of its event in ``events``

    def eligibility(self, tracking_domain: str) -> tuple[str, str]:
        """('yes'|'no'|'either', why) for SPEC 4's "becomes a click URL"."""
        if self.href is None:
            return "no", "no href"
        for anc in ("template", "script", "style"):
            if anc in self.ancestors:
                return "no", f"inside <{anc}>"
        if self.attrs.get("data-msys-clicktrack", "").strip() == "0":
            return "no", 'data-msys-clicktrack="0"'
        v = self.href.strip(HTML_WS)
        if not re.match(r"https?://", v, re.I):
            return "no", "not http(s)"
        try:
            host = urlsplit(v).netloc.rsplit("@", 1)[-1].lower()
        except ValueError:
            host = ""
        if host == tracking_domain.lower() or host.split(":")[0] == tracking_domain.lower():
            return "no", "on the tracking domain"
        if not re.match(r"https?://", v):
            return "either", "upper-case scheme"
        return "yes", "http(s) link"


@dataclass
class HtmlView:
    events: list = field(default_factory=list)     # comparable tuples
    links: list = field(default_factory=list)      # Link, in document order
    pixels: list = field(default_factory=list)     # (src, attrs) of open pixels removed
    msys_attrs: list = field(default_factory=list) # (tag, attr) of data-msys-* seen
    tracked_elsewhere: list = field(default_factory=list)  # tracked URLs outside a/area href and pixels


def _attrs(token) -> dict:
    out = {}
    for (ns, name), value in token["data"].items():
        key = name.lower() if not ns else f"{ns}:{name}"
        out[key] = value
    return out


def html_view(text: str, *, is_pixel=None, is_tracked=None, strip_msys: bool = True) -> HtmlView:
    """Events of a whole document. ``is_pixel(src)`` marks open pixels to remove;
    ``is_tracked(value)`` spots tracked URLs in unexpected attributes."""
    view = HtmlView()
    doc = html5lib.parse(text, treebuilder="etree", namespaceHTMLElements=False)
    _walk(doc, view, False, is_pixel, is_tracked, strip_msys, ())
    view.events = _merge_text(view.events, view.links)
    return view


def _walk(tree, view: HtmlView, in_cond: bool, is_pixel, is_tracked, strip_msys, outer: tuple) -> None:
    stack: list[str] = list(outer)
    for tok in _walker(tree):
        t = tok["type"]
        if t in ("StartTag", "EmptyTag"):
            name = tok["name"].lower()
            attrs = _attrs(tok)
            if name == "img" and is_pixel and is_pixel(attrs.get("src", "")):
                view.pixels.append((attrs.get("src", ""), attrs))
                continue
            for k in list(attrs):
                if k.startswith("data-msys-"):
                    view.msys_attrs.append((name, k))
            if is_tracked:
                for k, v in attrs.items():
                    if is_tracked(v) and not (name in ("a", "area") and k == "href"):
                        view.tracked_elsewhere.append((name, k, v))
            shown = {k: v for k, v in attrs.items() if not (strip_msys and k.startswith("data-msys-"))}
            if name in ("a", "area"):
                link = Link(name, attrs.get("href"), attrs, in_cond, tuple(stack), len(view.events))
                view.links.append(link)
                shown.pop("href", None)
                ev = ("link", name, tuple(sorted(shown.items())), "href" in attrs)
            else:
                ev = ("start", name, tuple(sorted(shown.items())))
            view.events.append(ev)
            if t == "StartTag":
                stack.append(name)
        elif t == "EndTag":
            name = tok["name"].lower()
            view.events.append(("end", name))
            if name in stack:
                while stack and stack.pop() != name:
                    pass
        elif t in ("Characters", "SpaceCharacters"):
            view.events.append(("text", tok["data"]))
        elif t == "Comment":
            data = tok["data"]
            m = CONDITIONAL_RE.match(data)
            if m:
                view.events.append(("cc-open", m.group(1)))
                frag = html5lib.parseFragment(m.group(2), container="div", treebuilder="etree",
                                              namespaceHTMLElements=False)
                _walk(frag, view, True, is_pixel, is_tracked, strip_msys, tuple(stack))
                view.events.append(("cc-close", m.group(3)))
            else:
                view.events.append(("comment", data))
        elif t == "Doctype":
            view.events.append(("doctype", tok.get("name"), tok.get("publicId"), tok.get("systemId")))
        else:
            view.events.append((t.lower(), str(tok.get("data"))))


def _merge_text(events: list, links: list) -> list:
    """Adjacent text events become one (a removed pixel may leave two side by side);
    link indexes are renumbered."""
    out: list = []
    remap = {}
    for i, ev in enumerate(events):
        if ev[0] == "text" and out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + ev[1])
        else:
            out.append(ev)
        remap[i] = len(out) - 1
    for link in links:
        link.index = remap[link.index]
    return out


def first_difference(a: list, b: list, context: int = 2) -> str | None:
    """None when equal; else a short description around the first differing event."""
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            lo = max(0, i - context)
            return (f"event {i}: input {_short(a[i])} != output {_short(b[i])}; "
                    f"before: {[_short(e) for e in a[lo:i]]}")
    if len(a) != len(b):
        extra = a[n:n + 3] if len(a) > n else b[n:n + 3]
        who = "input" if len(a) > n else "output"
        return f"{who} has {abs(len(a) - len(b))} more events, from {[_short(e) for e in extra]}"
    return None


def _short(ev, limit: int = 160) -> str:
    s = repr(ev)
    return s if len(s) <= limit else s[:limit] + "...)"


def first_in_body(text: str):
    """The first node html5lib puts into <body> (comments and white space skipped):
    ("img", src) for an image, ("tag", name) for another element, ("text", data) for text."""
    doc = html5lib.parse(text, treebuilder="etree", namespaceHTMLElements=False)
    body = next((e for e in doc.iter() if isinstance(e.tag, str) and e.tag == "body"), None)
    if body is None:
        return None
    if body.text and body.text.strip(HTML_WS):
        return ("text", body.text)
    for child in body:
        if not isinstance(child.tag, str):          # a comment
            if child.tail and child.tail.strip(HTML_WS):
                return ("text", child.tail)
            continue
        if child.tag == "img":
            return ("img", child.get("src"))
        return ("tag", child.tag)
    return None


def attr_unescape(value: str) -> str:
    """Character references in an attribute value as HTML5 reads them (13.2.5.72): a named
    reference without ';' followed by '=' or an alphanumeric stays as written."""
    def one(m):
        ref = m.group(0)
        if not ref.startswith("&#") and not ref.endswith(";"):
            nxt = value[m.end():m.end() + 1]
            if nxt == "=" or nxt.isalnum():
                return ref
        return html.unescape(ref)
    return re.sub(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)", one, value)

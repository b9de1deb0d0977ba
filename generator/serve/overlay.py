"""The error overlay a served page shows while a rebuild fails, the page served before any build succeeded,
and the CSP sources that let the overlay's style through."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable

from ..base.errors import Problem

POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
"""The theme's CSP (generator/theme/base.html), for the page serve writes itself."""

OVERLAY_STYLE = ("#briefing-errors{position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;"
                 "margin:0;padding:1rem 1.25rem;background:#2b0d0d;color:#fff;"
                 "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;border-top:4px solid #ff5c5c}"
                 "#briefing-errors p{margin:0 0 .5rem;font-weight:700}#briefing-errors ul{margin:0;padding-left:1.25rem}")
OVERLAY_SOURCE = "'sha256-" + base64.b64encode(hashlib.sha256(OVERLAY_STYLE.encode()).digest()).decode() + "'"
"""The overlay's <style> as a CSP source: added to a served page's policy while the overlay shows, never to a file."""

CSP_META = re.compile(rb"<meta\b[^>]*\bhttp-equiv=[\"']?content-security-policy\b[^>]*>", re.IGNORECASE)
CSP_CONTENT = re.compile(rb'\bcontent="([^"]*)"', re.IGNORECASE)


def overlay(problems: Iterable[Problem], title: str) -> str:
    """The error overlay shown on every open page while a rebuild fails. Its style comes with it (no theme
    needed) in a <style> element, which a CSP can allow by hash; style attributes it could not."""
    lines = "".join(f"<li>{html.escape(str(p))}</li>" for p in problems)
    return (f'<div id="briefing-errors" role="alert"><style>{OVERLAY_STYLE}</style>'
            f'<p>{html.escape(title)}</p><ul>{lines}</ul></div>')


def with_style_source(policy: str, source: str) -> str:
    """`policy` with `source` also allowed for <style> elements, and nothing else loosened."""
    directives = [d.split() for d in policy.split(";") if d.strip()]
    names = [d[0].lower() for d in directives]
    found = [n for n in ("style-src-elem", "style-src", "default-src") if n in names]  # a browser's lookup order
    if not found:
        return policy
    i = names.index(found[0])
    sources = [s for s in directives[i][1:] if s.lower() != "'none'"]
    lowered = [s.lower() for s in sources]
    if "'unsafe-inline'" in lowered and not any(s.startswith(("'sha", "'nonce-")) for s in lowered):
        return policy  # inline style is allowed already; adding a hash would switch 'unsafe-inline' off
    if found[0] == "default-src":
        directives.insert(i + 1, ["style-src", *sources, source])
    else:
        directives[i] = [directives[i][0], *sources, source]
    return "; ".join(" ".join(d) for d in directives)


def allow_overlay(head: bytes) -> bytes:
    """`head` with every CSP meta tag in it allowing the overlay's style."""
    def relax(content: re.Match[bytes]) -> bytes:
        policy = with_style_source(html.unescape(content[1].decode("utf-8", "replace")), OVERLAY_SOURCE)
        return b'content="' + policy.replace("&", "&amp;").replace('"', "&quot;").encode() + b'"'
    return CSP_META.sub(lambda tag: CSP_CONTENT.sub(relax, tag[0], count=1), head)


def error_page(problems: Iterable[Problem]) -> str:
    policy = with_style_source(POLICY, OVERLAY_SOURCE)
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\"><title>Build failed</title></head>"
            "<body><main><h1>The site could not be built yet</h1><p>Fix the problems below; this page "
            "shows the site as soon as they are fixed.</p></main>"
            + overlay(problems, "briefing: the build failed") + "</body></html>")

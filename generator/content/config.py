"""site.yaml -> SiteConfig."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from ..base.errors import Problem
from .fields import Field, Invalid, boolean, one_of, read_mapping, text
from .model import SiteConfig
from .yamlnodes import Node

URL_SAFE = "/:@!$&'()*+,;=-._~"
"""What a URL's path holds as it is (RFC 3986); anything else is percent-encoded."""
HOST_RE = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?\.?)+$|^\[[0-9A-Fa-f:.]+\]$")


def base_url(node: Node, key: str) -> str:
    """The absolute http(s) URL the site will live at, ending in '/' (added when left out): feeds, the
    sitemap and canonical links are built on it, so it must be one as written."""
    value = text(node, key)
    fixed = _fixed(value)
    as_written = re.sub(r"^https?:", lambda m: m[0].lower(), value, flags=re.IGNORECASE)
    if fixed is not None and fixed in (as_written, as_written + "/"):
        return fixed
    meant = f"did you mean '{fixed}'?" if fixed else "for example https://example.org/briefing/"
    raise Invalid(node.location, f"'{key}' must be the site's absolute address: http:// or https://, a host "
                  f"name, and a path written as in a URL (a space as %20); {meant}")


def _fixed(value: str) -> str | None:
    """`value` as the URL it was most likely meant to be: https:// when it has no scheme or another
    than http, the host in IDNA, the path percent-encoded (spaces, non-ASCII), no user, port 0, query
    or fragment, and a '/' at the end; None when there is no telling."""
    written = value.strip()
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):[/\\]+", written) or re.match(r"^(https?):", written, re.IGNORECASE)
    rest = written[scheme.end():] if scheme else written.lstrip("/\\")
    try:
        parts = urlsplit("//" + rest.replace("\\", "/"))
        port = parts.port
        host = parts.netloc.rpartition("@")[2]
        if host.startswith("["):
            host = host.partition("]")[0] + "]"
        else:
            host = (host.rsplit(":", 1)[0] if ":" in host else host).encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if not HOST_RE.match(host) or port == 0 or not (scheme or "." in host or host == "localhost"):
        return None  # (without a scheme, a word with no dot is more likely a path than a host)
    path = quote(re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", parts.path), safe=URL_SAFE + "%").rstrip("/")
    http = "http" if scheme and scheme[1].lower() == "http" else "https"
    return f"{http}://{host}{'' if port is None else f':{port}'}{path}/"


SPEC = {
    "title": Field(text, True),
    "description": Field(text),
    "language": Field(text),
    "base_url": Field(base_url),
    "author": Field(text),
    "mentions": Field(one_of("first", "all", "none")),
    "raw_html": Field(boolean),
    "pretty_urls": Field(boolean),
}


def read_config(node: Node | None, problems: list[Problem]) -> SiteConfig | None:
    """The settings, or None (with problems) when site.yaml is missing or wrong."""
    if node is None:
        return None
    values = read_mapping(node, SPEC, "site.yaml", problems)
    if values is None:
        return None
    return SiteConfig(**values)

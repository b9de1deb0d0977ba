"""site.yaml -> SiteConfig."""

from __future__ import annotations

from .errors import Problem
from .fields import Field, boolean, one_of, read_mapping, text
from .model import SiteConfig
from .yamlnodes import Node

SPEC = {
    "title": Field(text, True),
    "description": Field(text),
    "language": Field(text),
    "base_url": Field(text),
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
    base = values.get("base_url")
    if base is not None and not base.endswith("/"):
        values["base_url"] = base + "/"
    return SiteConfig(**values)

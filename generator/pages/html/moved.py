"""The pages for an address with nothing of its own: an item's old address (moved.html) and 404.html."""

from __future__ import annotations

from typing import Any

from ...graph.urls import address
from ..context import Context


def values(ctx: Context) -> dict[str, Any]:
    """The page at an item's old address (formerly): it sends the reader to the item's page."""
    item_id, base = ctx.page.item or "", ctx.graph.site.config.base_url
    where = ctx.graph.locations[item_id]
    return {"title": ctx.graph.names[item_id], "target_url": ctx.href(item_id),
            "canonical": base + address(where) if base else None}


def not_found(ctx: Context) -> dict[str, Any]:
    base = ctx.graph.site.config.base_url
    return {"title": "Page not found", "home_url": base or "/"}

"""briefing: turn reporting (Markdown + YAML) into a cross-linked static briefing site."""

from __future__ import annotations

from typing import Any

from .base.errors import Problem, SiteError

__all__ = ["Problem", "SiteError", "check"]


def __getattr__(name: str) -> Any:
    """`check` on first use: importing the package stays light (`briefing build` with nothing changed
    imports neither Jinja nor Markdown nor YAML)."""
    if name == "check":
        from .build.builder import check
        return check
    raise AttributeError(name)

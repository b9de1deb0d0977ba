"""briefing: turn reporting (Markdown + YAML) into a cross-linked static briefing site."""

from .build import check
from .errors import Problem, SiteError

__all__ = ["Problem", "SiteError", "check"]

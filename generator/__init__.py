"""briefing: turn reporting (Markdown + YAML) into a cross-linked static briefing site.

The stages are packages, from the ground up (docs/architecture.md): base/, content/, graph/, pages/,
build/, then the commands (cli, serve, new). Like every package's __init__, this one imports nothing:
`briefing build` with nothing changed imports neither Jinja nor Markdown nor YAML."""

__all__ = ["Problem", "SiteError", "check"]


def __getattr__(name: str) -> object:
    """The public names on first use."""
    if name in ("Problem", "SiteError"):
        from .base import errors
        return getattr(errors, name)
    if name == "check":
        from .build.builder import check
        return check
    raise AttributeError(name)

"""Where the built-in theme lives. Light on purpose: the no-change check stamps the theme's files
without importing Jinja."""

from pathlib import Path

THEME = Path(__file__).with_name("theme")
"""The built-in theme (pages draw with it): its files are inputs of every build."""

"""The theme's words that pages share: the sections' titles, the actor kinds' headings, and spelled()."""

TITLES = {"articles": "Articles", "actors": "Actors", "topics": "Topics", "views": "Expert views",
          "timeline": "Timeline", "graph": "Relations", "sources": "Sources", "sanctions": "Sanctions"}
KIND_LABELS = {"person": "People", "state": "States", "organization": "Organisations", "media": "Media"}
"""Headings and legends by actor kind, as en-GB spells them (spelled() gives the site's spelling)."""


def spelled(words: str, language: str) -> str:
    """The theme's words in the site's one spelling (contract v3): `en-US` writes "Organization", any other
    language "Organisation", in badges, headings and legends alike."""
    if language.lower() == "en-us":
        return words.replace("organis", "organiz").replace("Organis", "Organiz")
    return words.replace("organiz", "organis").replace("Organiz", "Organis")

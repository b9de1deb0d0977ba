"""`briefing new DIR`: a small site that builds as it is, to start from."""

from __future__ import annotations

from pathlib import Path

FILES = {
    ".gitignore": """\
# the output and the build cache: both are made again by `briefing build`
/build/
/.briefing-cache/
""",
    "site.yaml": """\
title: My briefing
description: A briefing made with briefing. Edit site.yaml, then the files under content/.
language: en
author: Your desk
# The address the site will have: feeds, the sitemap and canonical links need it.
base_url: https://example.org/my-briefing/
""",
    "content/articles/first-article.md": """\
---
title: The first article
date: 2024-01-15T09:30+01:00
featured: true
image:
  src: img/first-article.svg
  alt: A placeholder picture that reads Lead image
  caption: Every article may have a lead image, with a caption and a credit.
  credit: Your desk
corrections:
  - date: 2024-01-16
    text: An earlier version gave the wrong day for the meeting.
key_points:
  - Articles are Markdown with YAML front matter.
  - Names of actors and topics become links by themselves.
actors: [example-minister]
topics: [example-topic]
sources: [example-source]
---
Example Minister spoke about the example topic today. Every article that names an actor
or a topic shows up on that actor's or topic's page.

Link anything by its id: [[example-country]], or with your own words:
[[example-topic|the topic of this briefing]], or by its name: [[Example Analyst]]. Cite a
source by its id and it becomes a numbered note [[example-source]].
""",
    "static/img/first-article.svg": """\
<svg xmlns="http://www.w3.org/2000/svg" width="640" height="320" viewBox="0 0 640 320">
  <rect width="640" height="320" fill="#e6eef3"/>
  <text x="320" y="170" font-family="sans-serif" font-size="32" text-anchor="middle" fill="#1c1d1f">Lead image</text>
</svg>
""",
    "content/actors/example-minister.yaml": """\
name: Example Minister
kind: person
aliases: [the Minister]
short_name: Minister
sort_name: Minister, Example
role: Minister of Examples
affiliations: [example-country]
summary: A person in the news. Replace with a real one.
relations:
  - {to: example-country, type: serves, since: 2020}
  - {to: example-country, type: deputy-minister-of, since: 2016, until: 2019}
""",
    "content/actors/example-country.yaml": """\
name: Example Country
kind: state
summary: A state.
""",
    "content/topics/example-topic.yaml": """\
title: Example topic
aliases: [example topic]
formerly: [old-example-topic]
summary: What this briefing is about.
facts:
  - {label: Started, value: "2020", source: example-source}
""",
    "content/events/example-events.yaml": """\
- id: example-meeting
  date: 2024-01-15
  title: Example Minister speaks
  actors: [example-minister]
  article: first-article
  credibility: 1
""",
    "content/actors/example-analyst.yaml": """\
name: Example Analyst
kind: person
role: Analyst at an example institute
summary: An expert whose views the briefing reports.
""",
    "content/actors/example-gazette.yaml": """\
name: Example Gazette
kind: media
summary: A newspaper that reports what was said.
""",
    "content/views/example-view.yaml": """\
expert: example-analyst
title: The example topic will matter for years
summary: |
  An expert's reading of the news, in a paragraph or two of Markdown. It shows on the
  expert's page and on the pages of what it is about.
about: [example-topic, example-minister]
date: 2024-01-16
article: first-article
sources: [example-source]
""",
    "content/quotes/example-quotes.yaml": """\
- id: example-minister-on-examples
  speaker: example-minister
  text: Examples are how we learn.
  date: 2024-01-15
  context: Speaking to reporters after the example meeting
  reported_by: example-gazette
  about: [example-topic]
  article: first-article
  sources: [example-source]
  credibility: 2
""",
    "content/designations/example-designations.yaml": """\
# Sanctions listings: who is listed by whom (a state or organisation), under which programme, since when.
- id: example-minister-listed
  actor: example-minister
  by: example-country
  program: EXAMPLE-1
  date: 2024-01-20
  reference: EX.001
  reason: Listed for the example meeting's outcome; replace with the authority's own words.
  sources: [example-source]
""",
    "content/sources/example-source.yaml": """\
title: Where the facts come from
publisher: example-gazette
date: 2024-01
reliability: B
""",
}

NEXT_STEPS = (
    "{program} serve {dir} --open   (preview it; the page reloads as you edit)",
    "edit {dir}/site.yaml (title, base_url) and the files under {dir}/content/",
    "{program} build {dir}   (write it into {dir}/build/, ready for any static web server)",
)
"""`program`: the command as the user ran it (invocation.program)."""


def new_site(target: Path) -> None:
    for rel, text in FILES.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

"""data/entities.ftm.json: actors, their ties and their designations as FollowTheMoney entities, one JSON
object a line; what `briefing import` (read.py, intake.py) reads back."""

from __future__ import annotations

import json
import re
from typing import Any

from ...content.model import Actor, Designation, Link, Source
from ...graph.markdown import unsafe_url
from ...graph.resolve import Graph
from ...graph.urls import address
from ..context import Context
from ..page import Page
from .countries import country_of, wikidata_id


def plan(graph: Graph) -> list[Page]:
    return [Page("data/entities.ftm.json", "entities.ftm.json", "data")]


SCHEMATA = {"person": "Person", "organization": "Organization", "media": "Organization", "state": "PublicBody"}
"""Actor kind -> FollowTheMoney schema."""
WIKIPEDIA_RE = re.compile(r"^https?://[a-z0-9-]+\.(?:m\.)?wikipedia\.org/", re.IGNORECASE)
ORGANIZATIONS = ("organization", "media", "state")
"""Kinds that FollowTheMoney's Membership accepts as the organization."""


def entities(ctx: Context) -> dict[str, Any]:
    g = ctx.graph
    actors = {i: a for i in g.order.get("actors", ()) if isinstance(a := g.items[i], Actor)}
    lines = []
    for actor in actors.values():
        lines.append(_actor_entity(ctx, actor))
        for n, relation in enumerate(actor.relations):
            other = actors.get(relation.to.id)
            if other is not None:
                lines.append(_tie(actor, other, relation.type, f"relation-{n + 1}",
                                  str(relation.since) if relation.since else None,
                                  str(relation.until) if relation.until else None))
        for ref in actor.affiliations:
            other = actors.get(ref.id)
            if other is not None:
                lines.append(_tie(actor, other, "affiliated-with", f"affiliation-{other.id}", None))
    # By the designations' own ids: a walk over g.items would read every article, and an edit to any
    # body would draw the export again (0.1 s at 5,000 articles).
    lines.extend(_sanction(g, d) for i in g.order.get("designations", ())
                 if isinstance(d := g.items[i], Designation) and d.actor.id in actors and d.by.id in actors)
    text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in lines)
    return {"title": "entities.ftm.json", "text": text}


def _entity_id(actor_id: str) -> str:
    return f"briefing-{actor_id}"


def _actor_entity(ctx: Context, actor: Actor) -> dict[str, Any]:
    props: dict[str, list[str]] = {"name": [actor.name]}
    # The native name first: the import takes the first name in another script as the native name.
    aliases = [a for a in (actor.native_name, *actor.alias_names) if a and a != actor.name]
    if aliases:
        props["alias"] = list(dict.fromkeys(aliases))
    if actor.role and actor.kind == "person":
        props["position"] = [actor.role]
    if actor.kind == "media":  # FollowTheMoney has no media schema: the import reads this back
        props["classification"] = ["media"]
    props.update(_link_props(actor.links))
    country = country_of((actor.name, *actor.alias_names, *filter(None, (actor.native_name,))),
                         (link.url for link in actor.links)) if actor.kind == "state" else None
    if country is not None:
        props["country"] = [country]
    if actor.summary is not None:
        props["summary"] = [" ".join(actor.summary.text.split())]
    base = ctx.graph.site.config.base_url
    location = ctx.graph.locations.get(actor.id)
    if base and location:
        props["sourceUrl"] = [base + address(location)]
    return {"id": _entity_id(actor.id), "schema": SCHEMATA[actor.kind], "properties": props}


def _sanction(g: Graph, d: Designation) -> dict[str, Any]:
    """A designation as a Sanction: the authority by its name (FollowTheMoney's `authority` is text), the
    date listed as both listingDate and startDate, the reference as authorityId, its first source's URL."""
    props: dict[str, list[str]] = {"entity": [_entity_id(d.actor.id)], "authority": [g.names[d.by.id]],
                                   "listingDate": [str(d.date)], "startDate": [str(d.date)]}
    optional = {"program": d.program, "endDate": d.until and str(d.until), "authorityId": d.reference,
                "reason": d.reason and " ".join(d.reason.text.split()),
                "sourceUrl": next((s.url for r in d.sources if isinstance(s := g.items.get(r.id), Source) and s.url),
                                  None)}
    props.update((k, [v]) for k, v in optional.items() if v)
    return {"id": _entity_id(d.id), "schema": "Sanction", "properties": props}


def _link_props(links: tuple[Link, ...]) -> dict[str, list[str]]:
    """An actor's links: a Wikidata item as `wikidataId`, a Wikipedia article as `wikipediaUrl`, any
    other web address as `website` (an unsafe one left out)."""
    props: dict[str, list[str]] = {}
    for link in links:
        qid = wikidata_id(link.url)
        if qid is not None:
            props.setdefault("wikidataId", []).append(qid)
        elif unsafe_url(link.url):
            continue
        elif WIKIPEDIA_RE.match(link.url):
            props.setdefault("wikipediaUrl", []).append(link.url)
        else:
            props.setdefault("website", []).append(link.url)
    return props


def _tie(actor: Actor, other: Actor, kind: str, suffix: str, since: str | None,
         until: str | None = None) -> dict[str, Any]:
    """A relation or affiliation: Membership or Employment where its type says so and the two kinds
    fit FollowTheMoney's model, else UnknownLink with the type as its role."""
    words = kind.replace("-", " ")
    props: dict[str, list[str]]
    employs = "employ" in kind or kind in ("works-for", "works-at")
    if employs and actor.kind == "person" and other.kind in ORGANIZATIONS:
        schema = "Employment"
    elif ("member" in kind or kind.startswith("affiliat")) and other.kind in ORGANIZATIONS:
        schema = "Membership"
    else:
        schema = "UnknownLink"
    if schema == "Employment":
        props = {"employee": [_entity_id(actor.id)], "employer": [_entity_id(other.id)]}
    elif schema == "Membership":
        props = {"member": [_entity_id(actor.id)], "organization": [_entity_id(other.id)]}
    else:
        props = {"subject": [_entity_id(actor.id)], "object": [_entity_id(other.id)]}
    props["role"] = [words]
    if since:
        props["startDate"] = [since]
    if until:
        props["endDate"] = [until]
    return {"id": f"{_entity_id(actor.id)}-{suffix}", "schema": schema, "properties": props}

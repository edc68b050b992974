"""The public home ``/``: a map of the basin and the published itineraries, filtered.

The list is rendered on the server from the URL (a GET form: every filter is in the
address, and the page works without JavaScript); ``static/home.js`` only enhances it
(live filtering through the ``fragment=1`` variant of the same page, map and list kept in
step). Filters run over the precomputed facets of :mod:`web.facets`, never over decoded
itineraries; ``/api/v1/portal/itineraries`` gives the same search as JSON, refusing bad
input with problem details that name the field. Also here: the sitemap and the
visitors' "plan a route" form (``/plan``).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from graphs.build import build_id
from routing import PROFILES

from .extensions import get_database, get_routing
from .facets import FACETS, snapshot
from .i18n import LANGUAGES
from .maps import KIND_COLOURS
from .params import InvalidParameterError
from .portal_query import parse_query, search
from .portal_words import FACET_LEGENDS, duration_text, value_labels
from .security import current_user
from .seo import language_urls

bp = Blueprint("portal", __name__)
PROFILE_COLOURS = {"hike": "#15803d", "family": "#0d9488", "trail": "#c2410c",
                   "bike": "#1d4ed8", "gravel": "#7c3aed", "mtb": "#be123c"}
NETWORK_LAYER = Path(__file__).with_name("static") / "network-layer.js"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
#: A sitemap holds at most 50,000 URLs: pages × languages stay under it.
MAX_SITEMAP_PAGES = 50_000 // len(LANGUAGES)
#: The heritage layers of the home map: key, kinds, and which places of them.
LAYERS = (
    ("sites", "major_site", lambda p: p.kind in ("major_site", "museum")),
    ("parks", "park", lambda p: p.kind == "park" and p.tags.get("network") == "Chaîne des Parcs"),
    ("terrils", "terril", lambda p: p.kind == "terril" and bool(p.unesco_id)),
    ("cites", "cite", lambda p: p.kind == "cite" and bool(p.unesco_id)),
)


def _layer_names() -> dict:
    return {"sites": _("Major sites and Louvre-Lens"), "parks": _("Chaîne des Parcs"),
            "terrils": _("UNESCO terrils"), "cites": _("Cités minières (UNESCO)")}


def _commune_of(place) -> str:
    for key in ("commune", "commune_1"):
        name = place.tags.get(key)
        if isinstance(name, str) and name.strip():
            return name.title() if name.isupper() else name
    return ""


def _area(graph) -> dict:
    """The graph's heritage places by layer and its area, computed once per build."""
    cache = current_app.extensions.setdefault("bassin_portal_area", {})
    key = build_id(graph.meta)
    if key not in cache:
        layers = {}
        for name, kind, test in LAYERS:
            chosen = [p for p in graph.places if test(p)]
            if name == "parks" and not chosen:          # a graph without the catalogue
                chosen = [p for p in graph.places if p.kind == "park"]
            layers[name] = {"colour": KIND_COLOURS.get(kind, "#475569"), "places": [
                [round(p.lat, 5), round(p.lon, 5), p.name or "", _commune_of(p), p.kind]
                for p in sorted(chosen, key=lambda p: p.id)]}
        lat, lon = graph.node_lat, graph.node_lon
        bounds = [[float(np.percentile(lat, 1)), float(np.percentile(lon, 1))],
                  [float(np.percentile(lat, 99)), float(np.percentile(lon, 99))]]
        starts = [p for p in graph.places if p.kind in ("major_site", "museum")
                  or (p.kind == "park" and p.tags.get("network"))]
        cache[key] = {"layers": layers, "bounds": bounds,
                      "starts": sorted(((p.id, p.name or p.id) for p in starts),
                                       key=lambda s: s[1])}
    return cache[key]


def _filter_groups(snap, result, query) -> list[dict]:
    """The filters as the template lists them: legend, options with counts and state."""
    present = {f: set().union(*(c.values[f] for c in snap.cards)) for f in ("commune", "kind")}
    groups = []
    for facet in FACETS:
        chosen = query.selected.get(facet, frozenset())
        if facet == "commune":
            labels = {c: snap.commune_names.get(c, c) for c in present["commune"] | chosen}
            labels = dict(sorted(labels.items(), key=lambda kv: kv[1].lower()))
        elif facet == "kind":
            labels = {k: v for k, v in value_labels("kind").items()
                      if k in present["kind"] or k in chosen}
        else:
            labels = value_labels(facet)
        groups.append({"facet": facet, "legend": str(FACET_LEGENDS[facet]), "options": [
            {"value": v, "label": label, "count": result.counts[facet][v], "checked": v in chosen}
            for v, label in labels.items()]})
    return groups


def _card_view(card, words: dict) -> dict:
    """A card's figures in the request's words (``words``: facet -> value -> label)."""
    route = words["route"].get(card.route, card.route)
    return {"id": card.id, "slug": card.slug, "name": card.name,
            "url": url_for("pages.public", slug=card.slug),
            "description": card.description[:220] + ("…" if len(card.description) > 220 else ""),
            "practice": words["practice"].get(card.profile, card.profile),
            "km": f"{card.distance_m / 1000:.1f}", "duration": duration_text(card.duration_s),
            "ascent": None if card.ascent_m is None else f"{card.ascent_m:.0f}",
            "difficulty": words["difficulty"].get(str(card.difficulty), str(card.difficulty)),
            "level": card.difficulty, "route": route, "days": card.days,
            "multi_day": words["route"]["multi-day"] if card.days > 1 else None,
            "start": card.start_commune, "author": card.author,
            "themes": [words["theme"].get(t, t) for t in card.themes],
            "colour": PROFILE_COLOURS.get(card.profile, "#334155"), "line": card.line}


def _results_context(query) -> dict:
    snap = snapshot(current_app, get_database(), get_routing().graph)
    result = search(snap, query)
    words = {f: value_labels(f) for f in ("practice", "difficulty", "route", "theme")}
    cards = [_card_view(c, words) for c in result.cards]
    pages = [{"number": n, "url": url_for("portal.home") + query.url_query(page=n),
              "current": n == result.page} for n in range(1, result.pages + 1)
             if n in (1, result.pages) or abs(n - result.page) <= 2]
    counts = {f"{f}:{v}": n for f in FACETS for v, n in result.counts[f].items()}
    return {"snap": snap, "result": result, "cards": cards, "pages": pages, "query": query,
            "map_items": [{k: c[k] for k in ("id", "name", "url", "colour", "line")}
                          for c in cards],
            "counts": counts}


@bp.get("/")
def home():
    query = parse_query(request.args)
    context = _results_context(query)
    if request.args.get("fragment") == "1":           # home.js asks for the results only
        return render_template("_home_results.html", **context)
    graph = get_routing().graph
    area = _area(graph)
    names = _layer_names()
    kinds = value_labels("kind")
    map_data = {"bounds": area["bounds"], "tiles": current_app.config["TILE_URL"],
                "attribution": current_app.config["TILE_ATTRIBUTION"],
                "layers": [{"key": k, "name": names[k], **area["layers"][k]}
                           for k, _kind, _test in LAYERS],
                "kinds": kinds,
                "words": {"map": _("Map of the itineraries and heritage places"),
                          "itineraries": _("Itineraries")}}
    seo = language_urls("portal.home", query.pairs())
    return render_template("home.html", **context, groups=_filter_groups(
        context["snap"], context["result"], query), map_data=map_data, seo=seo,
        starts=area["starts"], profiles=list(PROFILES), staff=current_user() is not None,
        network_layer=NETWORK_LAYER.exists())


@bp.get("/api/v1/portal/itineraries")
def api_search():
    """The home's search as JSON: one page of cards, the total and the counts per value."""
    query = parse_query(request.args, strict=True)
    context = _results_context(query)
    result = context["result"]
    return jsonify({"count": result.total, "page": result.page, "pages": result.pages,
                    "per_page": query.per_page, "published": result.all_count,
                    "itineraries": [{k: v for k, v in c.items() if k != "colour"}
                                    for c in context["cards"]],
                    "facets": {f: dict(result.counts[f]) for f in FACETS}})


@bp.get("/plan")
def plan_form():
    """The visitors' "plan a route" form, without JavaScript: to the planning API's map."""
    starts = dict(_area(get_routing().graph)["starts"])
    kind = request.args.get("kind", "route")
    if kind not in ("route", "loop"):
        raise InvalidParameterError("kind", "must be route or loop")
    profile = request.args.get("profile", "hike")
    if profile not in PROFILES:
        raise InvalidParameterError("profile", f"must be one of {', '.join(PROFILES)}")
    names = ("from", "to") if kind == "route" else ("from",)
    for name in names:
        if request.args.get(name) not in starts:
            raise InvalidParameterError(name, "must be one of the places the form offers")
    if kind == "loop":
        try:
            km = float(request.args.get("km", "10"))
        except ValueError:
            raise InvalidParameterError("km", "must be a number") from None
        if not 1 <= km <= 100:
            raise InvalidParameterError("km", "must be from 1 to 100")
        target = url_for("api.loop", start=request.args["from"], km=f"{km:g}", profile=profile,
                         format="html")
    else:
        target = url_for("api.route", points=f"{request.args['from']};{request.args['to']}",
                         profile=profile, format="html")
    return redirect(target, 303)


def _url(parent, loc: str, lastmod: dt.datetime | None, alternates) -> None:
    url = ET.SubElement(parent, f"{{{SITEMAP_NS}}}url")
    ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = loc
    if lastmod is not None:
        stamp = lastmod if lastmod.tzinfo else lastmod.replace(tzinfo=dt.timezone.utc)
        ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = stamp.isoformat(timespec="seconds")
    for code, href in alternates:
        ET.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=code, href=href)


@bp.get("/sitemap.xml")
def sitemap():
    """The home and every published itinerary page, in each language, with lastmod."""
    snap = snapshot(current_app, get_database(), get_routing().graph)
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    newest = max((c.updated for c in snap.cards if c.updated), default=None)
    pages = [("portal.home", {}, newest)] + [("pages.public", {"slug": c.slug}, c.updated)
                                               for c in snap.cards[:MAX_SITEMAP_PAGES - 1]]
    for endpoint, values, lastmod in pages:
        alternates = language_urls(endpoint, **values)["alternates"]
        for code, href in alternates:
            if code in LANGUAGES:
                _url(root, href, lastmod, alternates)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/xml")


__all__ = ["bp", "home", "sitemap"]

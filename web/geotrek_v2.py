"""A read-only Geotrek API v2 (``/api/v2/``) over the published saved itineraries: treks.

What Geotrek-rando v3, the Geotrek-rando widget and Geotrek-admin's Geotrek
parser ask: ``trek/`` (paginated like Geotrek: ``count``/``next``/
``previous``/``results``) and ``trek/{id}/``, and ``tour/`` with ordered
``steps``; POIs and reference lists are in :mod:`web.geotrek_v2_lists`, files
in :mod:`web.geotrek_v2_files`. Every view honours ``language``,
``format=geojson``, ``fields``/``omit``, and the list filters the clients send.
"""
from __future__ import annotations

import dataclasses
import math

import shapely
from flask import Blueprint, jsonify, request, url_for

from gpx import geotrek

from .geotrek_v2_catalogue import search_key
from .geotrek_v2_params import (bbox_param, feature, geojson_param, ints_param, language_param,
                                names_param, page_param, page_response, published_entries,
                                select_fields)
from .problems import Problem

bp = Blueprint("geotrek_v2", __name__, url_prefix="/api/v2")
ID_FILTERS = {"practices": "practice", "difficulties": "difficulty", "themes": "themes",
              "routes": "route", "labels": "labels", "networks": "networks",
              "accessibilities": "accessibilities", "portals": "portal"}
#: Range filter prefix (``_min``/``_max``) -> trek figure.
RANGE_FILTERS = {"duration": "duration", "length": "length_2d", "ascent": "ascent"}


def _links(entry) -> dict:
    url = url_for("geotrek_v2.trek_detail", trek_id=entry.id, _external=True)
    files = {fmt: url_for("geotrek_v2_files.trek_file", trek_id=entry.id, slug=entry.slug,
                          fmt=fmt, _external=True) for fmt in ("gpx", "kml")}
    profile = url_for("geotrek_v2_files.profile", trek_id=entry.id, _external=True)
    return {"url": url, **files, "altimetric_profile": profile,
            "elevation_svg_url": profile + "?format=svg",
            "elevation_area_url": url_for("geotrek_v2_files.dem", trek_id=entry.id, _external=True)
            if entry.itinerary.has_elevation else None,
            "pdf": {lang: url_for("geotrek_v2_files.trek_file", trek_id=entry.id,
                                  slug=entry.slug, fmt="pdf", language=lang, _external=True)
                    for lang in geotrek.LANGUAGES}}


def trek_object(entry, language, with_steps: bool = False, entries: dict | None = None) -> dict:
    """The full trek object of a catalogue entry (properties and geometry)."""
    context = dataclasses.replace(entry.context, links=_links(entry))
    obj = geotrek.trek(entry.itinerary, None, language, context)
    obj["portal"] = [1]
    if with_steps:
        obj["steps"] = [select_fields(trek_object(entries[c], language)) for c in context.children]
        obj["count_children"] = len(context.children)
    return obj


def _ranges() -> dict:
    """``duration_min``/``_max`` (h), ``length_min``/``_max`` and ``ascent_min``/``_max`` (m)."""
    ranges = {}
    for name, figure in RANGE_FILTERS.items():
        bounds = [0.0, math.inf]
        for i, end in enumerate(("min", "max")):
            raw = request.args.get(f"{name}_{end}")
            if raw in (None, ""):
                continue
            try:
                bounds[i] = float(raw)
            except ValueError:
                bounds[i] = math.nan
            if not 0 <= bounds[i] <= 1e9:
                raise Problem(400, "Bad parameter", f"{name}_{end} must be a number from 0",
                              "bad-parameter", field=f"{name}_{end}")
        if bounds != [0.0, math.inf]:
            ranges[figure] = tuple(bounds)
    return ranges


def _matches(entry, filters: dict, city_codes, box, ranges=None, text="") -> bool:
    for field, (low, high) in (ranges or {}).items():
        value = entry.figures.get(field)
        if value is None or not low <= value <= high:
            return False
    if text and text not in entry.search:
        return False
    for param, wanted in filters.items():
        value = [1] if param == "portals" else entry.references.get(ID_FILTERS[param])
        values = value if isinstance(value, list) else [value]
        if not wanted & set(values):
            return False
    if city_codes and not city_codes & set(entry.context.cities):
        return False
    if box is not None:
        w, s, e, n = entry.bbox
        if not box.intersects(shapely.box(w, s, e, n)) or not box.intersects(
                shapely.LineString(list(zip(entry.itinerary.lon, entry.itinerary.lat)))):
            return False
    return True


def _trek_list(parents_only: bool):
    language, geojson = language_param(), geojson_param()
    filters = {p: v for p in ID_FILTERS if (v := ints_param(p)) is not None}
    city_codes, box, ranges = names_param("cities"), bbox_param(), _ranges()
    text = search_key(request.args.get("q", ""))
    if len(text) > 200:
        raise Problem(400, "Bad parameter", "q: at most 200 characters", "bad-parameter",
                      field="q")
    published = request.args.get("published", "true").lower()
    if published not in ("true", "false", "1", "0"):
        raise Problem(400, "Bad parameter", "published must be true or false", "bad-parameter",
                      field="published")
    entries = published_entries()
    chosen = [e for e in entries.values() if published in ("true", "1")
              and (e.is_parent or not parents_only) and _matches(e, filters, city_codes, box, ranges, text)]
    page, size = page_param()
    window = chosen[(page - 1) * size: page * size]
    items = [None] * len(chosen)                 # only the asked page is serialised
    for i, entry in enumerate(window, start=(page - 1) * size):
        obj = select_fields(trek_object(entry, language, parents_only, entries))
        items[i] = feature(obj, entry.bbox) if geojson else obj
    boxes = [e.bbox for e in chosen]
    bbox = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes)] if boxes else None
    return page_response(items, geojson, bbox)


def _trek_one(trek_id: int, parents_only: bool):
    language, geojson = language_param(), geojson_param()
    entries = published_entries()
    entry = entries.get(trek_id)
    if entry is None or (parents_only and not entry.is_parent):
        raise Problem(404, "Not found", f"no published trek {trek_id}", "not-found")
    obj = select_fields(trek_object(entry, language, parents_only, entries))
    response = jsonify(feature(obj, entry.bbox) if geojson else obj)
    if geojson:
        response.mimetype = "application/geo+json"
    return response


@bp.get("/trek/")
def trek_list():
    """Published treks (itineraries and their stages), filtered and paginated."""
    return _trek_list(parents_only=False)


@bp.get("/trek/<int:trek_id>/")
def trek_detail(trek_id: int):
    """One trek: a saved itinerary or one of its stages."""
    return _trek_one(trek_id, parents_only=False)


@bp.get("/tour/")
def tour_list():
    """Multi-day itineraries with their ordered ``steps`` (what Geotrek-admin's parser reads)."""
    return _trek_list(parents_only=True)


@bp.get("/tour/<int:trek_id>/")
def tour_detail(trek_id: int):
    """One multi-day trek with its ordered ``steps``."""
    return _trek_one(trek_id, parents_only=True)



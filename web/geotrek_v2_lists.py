"""Geotrek API v2: the places along the treks (``poi/``) and the reference lists.

``trek_practice``, ``trek_difficulty``, ``trek_route``, ``theme``,
``trek_network``, ``label``, ``trek_accessibility``, ``trek_accessibility_level``,
``poi_type``, ``portal`` come from our vocabulary (``gpx/data``), ``city`` from
the communes (:mod:`web.geotrek_v2_cities`).
"""
from __future__ import annotations

import zlib

import shapely
from flask import Blueprint, current_app, jsonify, url_for

from gpx import geotrek

from .geotrek_v2_cities import communes
from .geotrek_v2_params import (bbox_param, feature, geojson_param, ints_param, language_param,
                                page_response, published_entries, routing_graph, select_fields)
from .problems import Problem

bp = Blueprint("geotrek_v2_lists", __name__, url_prefix="/api/v2")
REFERENCE_LISTS = {"trek_practice": ("practice", "name"), "trek_difficulty": ("difficulty", "label"),
                   "trek_route": ("route", "route"), "theme": ("theme", "label"),
                   "trek_network": ("network", "label"), "label": ("label", "name"),
                   "trek_accessibility": ("accessibility", "name"),
                   "trek_accessibility_level": ("accessibility_level", "name"),
                   "poi_type": ("poi_type", "label"), "portal": ("portal", "name")}
#: Meaning keys of our vocabulary, not served.
PRIVATE_KEYS = ("aliases", "profiles", "place_kinds", "route_refs", "kind", "cirkwi_levels")
#: List filter -> trek field it tests (any of the given ids).
def poi_id(place_id: str) -> int:
    """A stable integer id for a place id (CRC-32)."""
    return zlib.crc32(place_id.encode("utf-8")) & 0x7FFFFFFF


def _poi(place: dict, kinds: dict, language, vocabulary) -> dict:
    type_id = kinds.get(place["kind"], kinds[None])
    label = next(e["label"] for e in vocabulary["poi_type"] if e["id"] == type_id)
    unesco = f"UNESCO {place['unesco_id']}" if place.get("unesco_id") else ""
    return {"id": poi_id(place["id"]), "uuid": None, "external_id": place["id"],
            "name": geotrek.translated(place.get("name") or label["fr"], language),
            "description": geotrek.translated(unesco and f"<p>{unesco}</p>", language),
            "type": type_id, "type_label": geotrek.translated(label, language),
            "type_pictogram": None, "attachments": [], "structure": None,
            "published": True if language else {lang: True for lang in geotrek.LANGUAGES},
            "url": url_for("geotrek_v2_lists.poi_detail", poi=poi_id(place["id"]), _external=True),
            "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]}}


def _places(trek_id: int | None) -> list:
    entries = published_entries()
    if trek_id is not None and trek_id not in entries:
        raise Problem(404, "Not found", f"no published trek {trek_id}", "not-found", field="trek")
    chosen = [entries[trek_id]] if trek_id is not None else entries.values()
    return list({p["id"]: p for e in chosen for p in e.itinerary.places}.values())


def _poi_kinds(vocabulary) -> dict:
    kinds = {k: e["id"] for e in vocabulary["poi_type"] for k in e["place_kinds"]}
    kinds[None] = next(e["id"] for e in vocabulary["poi_type"] if not e["place_kinds"])
    return kinds


@bp.get("/poi/")
def poi_list():
    """The places along the published treks (``trek=``, ``types=``, ``in_bbox=``)."""
    language, geojson = language_param(), geojson_param()
    trek = ints_param("trek")
    types, box = ints_param("types"), bbox_param()
    vocabulary = geotrek.load_vocabulary()
    kinds = _poi_kinds(vocabulary)
    items = []
    for place in _places(min(trek) if trek else None):
        obj = _poi(place, kinds, language, vocabulary)
        if (types and obj["type"] not in types) or (
                box is not None and not box.intersects(shapely.Point(place["lon"], place["lat"]))):
            continue
        obj = select_fields(obj)
        items.append(feature(obj) if geojson else obj)
    return page_response(items, geojson)


@bp.get("/poi/<int:poi>/")
def poi_detail(poi: int):
    """One place along a published trek."""
    language = language_param()
    vocabulary = geotrek.load_vocabulary()
    for place in _places(None):
        if poi_id(place["id"]) == poi:
            obj = select_fields(_poi(place, _poi_kinds(vocabulary), language, vocabulary))
            return jsonify(feature(obj) if geojson_param() else obj)
    raise Problem(404, "Not found", f"no place {poi} along a published trek", "not-found")


def _reference_entries(endpoint: str, language) -> list:
    if endpoint == "city":
        index = communes(current_app._get_current_object(), routing_graph())
        return [{"id": c["id"], "name": c["name"], "published": True} for c in index.entries]
    ours, key = REFERENCE_LISTS[endpoint]
    rows = []
    for entry in geotrek.load_vocabulary()[ours]:
        row = {k: (geotrek.translated(v, language) if isinstance(v, dict) else v)
               for k, v in entry.items() if k not in PRIVATE_KEYS}
        row.setdefault("pictogram", None)
        rows.append(row)
    return rows


@bp.get("/<any(trek_practice, trek_difficulty, trek_route, theme, trek_network, label, "
        "trek_accessibility, trek_accessibility_level, poi_type, portal, city):endpoint>/")
def reference_list(endpoint: str):
    """A reference list (ids and words), paginated like Geotrek's."""
    language = language_param()
    return page_response([select_fields(r) for r in _reference_entries(endpoint, language)], False)


@bp.get("/<any(trek_practice, trek_difficulty, trek_route, theme, trek_network, label, "
        "trek_accessibility, trek_accessibility_level, poi_type, portal, city):endpoint>/"
        "<ref>/")
def reference_detail(endpoint: str, ref: str):
    """One entry of a reference list, by id."""
    language = language_param()
    for row in _reference_entries(endpoint, language):
        if str(row["id"]) == ref:
            return jsonify(select_fields(row))
    raise Problem(404, "Not found", f"no {endpoint} {ref[:64]}", "not-found")


#: Geotrek endpoints Geotrek-rando and the widget also call, of content we do not hold:
#: served as empty lists so that pages load, rather than 404s.
EMPTY_LISTS = ("source", "informationdesk", "trek_rating", "trek_ratingscale", "district",
               "structure", "sensitivearea", "signage", "infrastructure", "service",
               "touristiccontent", "touristiccontent_category", "touristicevent",
               "touristicevent_type", "outdoor_site", "outdoor_practice", "outdoor_course",
               "flatpage", "weblink_category")


@bp.get(f"/<any({', '.join(EMPTY_LISTS)}):endpoint>/")
def empty_list(endpoint: str):
    """An empty Geotrek list (``count`` 0), honouring ``format=geojson``."""
    language_param()
    return page_response([], geojson_param())


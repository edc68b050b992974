"""A read-only Geotrek API v2 (``/api/v2/``) over the published saved itineraries.

What Geotrek-rando v3, the Geotrek-rando widget and Geotrek-admin's Geotrek
parser ask: ``trek/`` (paginated like Geotrek: ``count``/``next``/
``previous``/``results``) and ``trek/{id}/``, ``tour/`` with ordered
``steps``, ``poi/`` for the places along, and the reference lists. Every view
honours ``language``, ``format=geojson`` (Feature / FeatureCollection with
``bbox``), ``fields``/``omit``, and the list filters the clients send.
"""
from __future__ import annotations

import zlib
from urllib.parse import urlencode

import shapely
from flask import Blueprint, current_app, jsonify, request, url_for

from gpx import geotrek

from .extensions import get_routing
from .geotrek_v2_catalogue import catalogue
from .geotrek_v2_cities import communes
from .problems import Problem

bp = Blueprint("geotrek_v2", __name__, url_prefix="/api/v2")
MAX_PAGE_SIZE = 200
#: Reference list endpoint -> (our list, label key).
REFERENCE_LISTS = {"trek_practice": ("practice", "name"), "trek_difficulty": ("difficulty", "label"),
                   "trek_route": ("route", "route"), "theme": ("theme", "label"),
                   "trek_network": ("network", "label"), "label": ("label", "name"),
                   "trek_accessibility": ("accessibility", "name"),
                   "trek_accessibility_level": ("accessibility_level", "name"),
                   "poi_type": ("poi_type", "label"), "portal": ("portal", "name")}
#: Meaning keys of our vocabulary, not served.
PRIVATE_KEYS = ("aliases", "profiles", "place_kinds", "route_refs", "kind", "cirkwi_levels")
#: List filter -> trek field it tests (any of the given ids).
ID_FILTERS = {"practices": "practice", "difficulties": "difficulty", "themes": "themes",
              "routes": "route", "labels": "labels", "networks": "networks",
              "accessibilities": "accessibilities", "portals": "portal"}


def language_param() -> str | None:
    language = request.args.get("language") or None
    if language not in (None, *geotrek.LANGUAGES):
        raise Problem(400, "Bad parameter", f"language must be one of "
                      f"{', '.join(geotrek.LANGUAGES)}", "bad-parameter", field="language")
    return language


def _geojson() -> bool:
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "geojson"):
        raise Problem(400, "Bad parameter", "format must be json or geojson", "bad-parameter",
                      field="format")
    return fmt == "geojson"


def _names(param: str) -> set | None:
    raw = request.args.get(param)
    if raw is None or not raw.strip():
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if len(names) > 200 or any(len(n) > 64 for n in names):
        raise Problem(400, "Bad parameter", f"{param}: at most 200 names of 64 characters",
                      "bad-parameter", field=param)
    return set(names)


def _ints(param: str) -> set | None:
    names = _names(param)
    if names is None:
        return None
    if not all(n.isdigit() and len(n) < 16 for n in names):
        raise Problem(400, "Bad parameter", f"{param} must be comma-separated ids",
                      "bad-parameter", field=param)
    return {int(n) for n in names}


def _page() -> tuple[int, int]:
    values = []
    for param, default, top in (("page", 1, 10 ** 6), ("page_size", 50, MAX_PAGE_SIZE)):
        raw = request.args.get(param, str(default))
        if not raw.isdigit() or not 1 <= int(raw) <= top:
            raise Problem(400, "Bad parameter", f"{param} must be an integer from 1 to {top}",
                          "bad-parameter", field=param)
        values.append(int(raw))
    return values[0], values[1]


def _bbox(param: str = "in_bbox"):
    raw = request.args.get(param)
    if not raw:
        return None
    try:
        w, s, e, n = (float(v) for v in raw.split(","))
    except ValueError:
        raise Problem(400, "Bad parameter", f"{param} must be minlon,minlat,maxlon,maxlat",
                      "bad-parameter", field=param) from None
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise Problem(400, "Bad parameter", f"{param}: not a WGS84 box (min before max)",
                      "bad-parameter", field=param)
    return shapely.box(w, s, e, n)


def _select(obj: dict) -> dict:
    """``fields`` keeps only the named fields, ``omit`` drops some."""
    fields, omit = _names("fields"), _names("omit") or set()
    return {k: v for k, v in obj.items() if (fields is None or k in fields) and k not in omit}


def _feature(obj: dict, bbox=None) -> dict:
    geometry = obj.pop("geometry", None)
    feature = {"type": "Feature", "id": obj.get("id"), "geometry": geometry, "properties": obj}
    if bbox is not None:
        feature["bbox"] = list(bbox)
    return feature


def _page_response(items: list, geojson: bool, bbox=None):
    """Geotrek's pagination: ``count``, ``next``, ``previous`` and the page."""
    page, size = _page()
    start = (page - 1) * size
    if start and start >= len(items):
        raise Problem(404, "Not found", f"page {page} is past the last page", "not-found",
                      field="page")
    args = request.args.to_dict()

    def link(number):
        return f"{request.base_url}?{urlencode(dict(args, page=number))}" if number else None
    body = {"count": len(items), "next": link(page + 1 if start + size < len(items) else 0),
            "previous": link(page - 1 if page > 1 else 0)}
    chunk = items[start:start + size]
    if geojson:
        body.update(type="FeatureCollection", features=[
            f if f.get("type") == "Feature" else _feature(f) for f in chunk])
        if bbox is not None:
            body["bbox"] = bbox
    else:
        body["results"] = chunk
    response = jsonify(body)
    if geojson:
        response.mimetype = "application/geo+json"
    return response


def published_entries() -> dict:
    app = current_app._get_current_object()
    return catalogue(app, app.extensions["bassin_db"], get_routing().graph)


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
    context = entry.context
    context = type(context)(**{**context.__dict__, "links": _links(entry)})
    obj = geotrek.trek(entry.itinerary, None, language, context)
    obj["portal"] = [1]
    if with_steps:
        obj["steps"] = [_select(trek_object(entries[c], language)) for c in context.children]
        obj["count_children"] = len(context.children)
    return obj


def _matches(entry, filters: dict, city_codes, box) -> bool:
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
    language, geojson = language_param(), _geojson()
    filters = {p: v for p in ID_FILTERS if (v := _ints(p)) is not None}
    city_codes, box = _names("cities"), _bbox()
    published = request.args.get("published", "true").lower()
    if published not in ("true", "false", "1", "0"):
        raise Problem(400, "Bad parameter", "published must be true or false", "bad-parameter",
                      field="published")
    entries = published_entries()
    chosen = [e for e in entries.values() if published in ("true", "1")
              and (e.is_parent or not parents_only) and _matches(e, filters, city_codes, box)]
    page, size = _page()
    window = chosen[(page - 1) * size: page * size]
    items = [None] * len(chosen)                 # only the asked page is serialised
    for i, entry in enumerate(window, start=(page - 1) * size):
        obj = _select(trek_object(entry, language, parents_only, entries))
        items[i] = _feature(obj, entry.bbox) if geojson else obj
    boxes = [e.bbox for e in chosen]
    bbox = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes)] if boxes else None
    return _page_response(items, geojson, bbox)


def _trek_one(trek_id: int, parents_only: bool):
    language, geojson = language_param(), _geojson()
    entries = published_entries()
    entry = entries.get(trek_id)
    if entry is None or (parents_only and not entry.is_parent):
        raise Problem(404, "Not found", f"no published trek {trek_id}", "not-found")
    obj = _select(trek_object(entry, language, parents_only, entries))
    response = jsonify(_feature(obj, entry.bbox) if geojson else obj)
    if geojson:
        response.mimetype = "application/geo+json"
    return response


@bp.get("/trek/")
def trek_list():
    """Published treks (itineraries and their stages), filtered and paginated."""
    return _trek_list(parents_only=False)


@bp.get("/trek/<int:trek_id>/")
def trek_detail(trek_id: int):
    return _trek_one(trek_id, parents_only=False)


@bp.get("/tour/")
def tour_list():
    """Multi-day itineraries with their ordered ``steps`` (what Geotrek-admin's parser reads)."""
    return _trek_list(parents_only=True)


@bp.get("/tour/<int:trek_id>/")
def tour_detail(trek_id: int):
    return _trek_one(trek_id, parents_only=True)


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
            "url": url_for("geotrek_v2.poi_detail", poi=poi_id(place["id"]), _external=True),
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
    language, geojson = language_param(), _geojson()
    trek = _ints("trek")
    types, box = _ints("types"), _bbox()
    vocabulary = geotrek.load_vocabulary()
    kinds = _poi_kinds(vocabulary)
    items = []
    for place in _places(min(trek) if trek else None):
        obj = _poi(place, kinds, language, vocabulary)
        if (types and obj["type"] not in types) or (
                box is not None and not box.intersects(shapely.Point(place["lon"], place["lat"]))):
            continue
        obj = _select(obj)
        items.append(_feature(obj) if geojson else obj)
    return _page_response(items, geojson)


@bp.get("/poi/<int:poi>/")
def poi_detail(poi: int):
    language = language_param()
    vocabulary = geotrek.load_vocabulary()
    for place in _places(None):
        if poi_id(place["id"]) == poi:
            obj = _select(_poi(place, _poi_kinds(vocabulary), language, vocabulary))
            return jsonify(_feature(obj) if _geojson() else obj)
    raise Problem(404, "Not found", f"no place {poi} along a published trek", "not-found")


def _reference_entries(endpoint: str, language) -> list:
    if endpoint == "city":
        index = communes(current_app._get_current_object(), get_routing().graph)
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
    return _page_response([_select(r) for r in _reference_entries(endpoint, language)], False)


@bp.get("/<any(trek_practice, trek_difficulty, trek_route, theme, trek_network, label, "
        "trek_accessibility, trek_accessibility_level, poi_type, portal, city):endpoint>/"
        "<ref>/")
def reference_detail(endpoint: str, ref: str):
    language = language_param()
    for row in _reference_entries(endpoint, language):
        if str(row["id"]) == ref:
            return jsonify(_select(row))
    raise Problem(404, "Not found", f"no {endpoint} {ref[:64]}", "not-found")

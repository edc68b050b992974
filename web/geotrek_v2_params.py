"""Request parameters and response shapes of the Geotrek API v2, shared by its views.

Geotrek's conventions: ``language`` (translated fields as plain strings),
``format=geojson`` (Feature / FeatureCollection with ``bbox``), ``fields`` /
``omit``, comma-separated ids, ``in_bbox``, and pages of ``count`` / ``next`` /
``previous`` / ``results``. Every bad value is a 400 problem naming the parameter.
"""
from __future__ import annotations

from urllib.parse import urlencode

import shapely
from flask import current_app, jsonify, request

from graphs.errors import GraphLoadError
from gpx import geotrek

from .extensions import get_routing
from .geotrek_v2_catalogue import catalogue
from .problems import Problem

MAX_PAGE_SIZE = 200


def language_param() -> str | None:
    """``language``: one of ours, or None for ``{lang: text}`` objects."""
    language = request.args.get("language") or None
    if language not in (None, *geotrek.LANGUAGES):
        raise Problem(400, "Bad parameter", f"language must be one of "
                      f"{', '.join(geotrek.LANGUAGES)}", "bad-parameter", field="language")
    return language


def geojson_param() -> bool:
    """Whether ``format=geojson`` was asked (``json`` is the default)."""
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "geojson"):
        raise Problem(400, "Bad parameter", "format must be json or geojson", "bad-parameter",
                      field="format")
    return fmt == "geojson"


def names_param(param: str) -> set | None:
    """A comma-separated parameter as a set of names (None when absent), bounded."""
    raw = request.args.get(param)
    if raw is None or not raw.strip():
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if len(names) > 200 or any(len(n) > 64 for n in names):
        raise Problem(400, "Bad parameter", f"{param}: at most 200 names of 64 characters",
                      "bad-parameter", field=param)
    return set(names)


def ints_param(param: str) -> set | None:
    """A comma-separated parameter of ids as a set of integers (None when absent)."""
    names = names_param(param)
    if names is None:
        return None
    if not all(n.isdigit() and len(n) < 16 for n in names):
        raise Problem(400, "Bad parameter", f"{param} must be comma-separated ids",
                      "bad-parameter", field=param)
    return {int(n) for n in names}


def page_param() -> tuple[int, int]:
    """``page`` (from 1) and ``page_size`` (1 to :data:`MAX_PAGE_SIZE`, default 50)."""
    values = []
    for param, default, top in (("page", 1, 10 ** 6), ("page_size", 50, MAX_PAGE_SIZE)):
        raw = request.args.get(param, str(default))
        if not raw.isdigit() or not 1 <= int(raw) <= top:
            raise Problem(400, "Bad parameter", f"{param} must be an integer from 1 to {top}",
                          "bad-parameter", field=param)
        values.append(int(raw))
    return values[0], values[1]


def bbox_param(param: str = "in_bbox"):
    """A ``minlon,minlat,maxlon,maxlat`` box as a shapely polygon, or None."""
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


def select_fields(obj: dict) -> dict:
    """``fields`` keeps only the named fields, ``omit`` drops some."""
    fields, omit = names_param("fields"), names_param("omit") or set()
    return {k: v for k, v in obj.items() if (fields is None or k in fields) and k not in omit}


def feature(obj: dict, bbox=None) -> dict:
    """An object as a GeoJSON Feature (its ``geometry`` taken out of the properties)."""
    geometry = obj.pop("geometry", None)
    feature = {"type": "Feature", "id": obj.get("id"), "geometry": geometry, "properties": obj}
    if bbox is not None:
        feature["bbox"] = list(bbox)
    return feature


def page_response(items: list, geojson: bool, bbox=None):
    """Geotrek's pagination: ``count``, ``next``, ``previous`` and the page."""
    page, size = page_param()
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
            f if f.get("type") == "Feature" else feature(f) for f in chunk])
        if bbox is not None:
            body["bbox"] = bbox
    else:
        body["results"] = chunk
    response = jsonify(body)
    if geojson:
        response.mimetype = "application/geo+json"
    return response


def routing_graph():
    """The routing graph (for its communes and places), or None: saved treks need no graph."""
    try:
        return get_routing().graph
    except GraphLoadError:
        return None


def published_entries() -> dict:
    """Trek id -> catalogue entry of the published itineraries and their stages."""
    app = current_app._get_current_object()
    return catalogue(app, app.extensions["bassin_db"], routing_graph())



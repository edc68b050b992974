"""JSON API v1 for travellers' routing: directions with instructions and alternatives,
isochrones, matrices. Per-request options (:class:`routing.options.RouteOptions`) and the
configured closures apply to all of them.

Routing returns codes; the words of the instructions are made here, in the request's
language, by :mod:`web.instructions`.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import gettext

from gpx import safe_filename
from routing import InvalidQueryError, parse_points
from routing.alternatives import MAX_ALTERNATIVES, plan_alternatives
from routing.isochrone import isochrone
from routing.matrix import table
from routing.options import RouteOptions
from routing.restrict import plan_route

from . import closures
from .csp import csp_nonce
from .extensions import get_routing
from .file_words import gpx_text
from .i18n import current_language, language
from .instructions import LANGUAGES, gpx_points, itinerary_steps
from .maps import render_map
from .network_words import network_overlay
from .routing_maps import alternatives_map, isochrone_map
from .warning_words import warning_text
from .words import localised

bp = Blueprint("routing_api", __name__, url_prefix="/api/v1")
DIRECTION_FORMATS = ("json", "geojson", "gpx", "html")


@bp.record_once
def _setup(state) -> None:
    closures.init_app(state.app)


def _params() -> dict:
    """Query arguments, overridden by a JSON body's members (POST)."""
    params = dict(request.args)
    if request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise InvalidQueryError("the body must be a JSON object")
        params.update(body)
    return params


def _point_list(params, name: str) -> list:
    raw = params.get(name)
    if raw in (None, ""):
        raise InvalidQueryError(f"parameter {name!r} is required")
    if isinstance(raw, list):
        if not all(isinstance(p, str) or (isinstance(p, list) and len(p) == 2) for p in raw):
            raise InvalidQueryError(f"parameter {name!r}: items must be [lat, lon] or place ids")
        return [p if isinstance(p, str) else tuple(p) for p in raw]
    return parse_points(str(raw))


def _numbers(params, name: str) -> list[float] | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    items = raw if isinstance(raw, list) else str(raw).split(",")
    try:
        return [float(v) for v in items]
    except (TypeError, ValueError):
        raise InvalidQueryError(f"parameter {name!r} must be numbers separated by commas") from None


def _context(params) -> tuple[str, RouteOptions, tuple]:
    """Profile, options and the closures active on ``date`` (default today)."""
    profile = str(params.get("profile") or "hike")
    return (profile, *closures.restrictions(params, profile))


def _lang(params) -> str:
    lang = params.get("lang") or g.get("lang") or "fr"
    if lang not in LANGUAGES:
        raise InvalidQueryError(f"parameter 'lang' must be one of {', '.join(LANGUAGES)}")
    return lang


def _route_json(service, itinerary) -> dict:
    all_steps = itinerary_steps(service, itinerary)
    legs = [{"distance": leg["distance_m"], "duration": leg["duration_s"],
             "steps": [s for s in all_steps if s["leg"] == i]}
            for i, leg in enumerate(itinerary.legs)]
    meta = itinerary.meta
    return {"distance": round(itinerary.distance_m, 1), "duration": round(itinerary.duration_s, 1),
            "planner": meta.get("planner"), "stretch": meta.get("stretch", 1.0),
            "overlap": meta.get("overlap", 0.0), "legs": legs,
            "geometry": {"type": "LineString", "coordinates": itinerary.coordinates()},
            "warnings": [dict(w, text=warning_text(w, itinerary.profile))
                         for w in itinerary.warnings],
            "signed_routes": itinerary.summary()["signed_routes"]}


@bp.route("/directions", methods=["GET", "POST"])
def directions():
    """A route with turn-by-turn steps (like OSRM's), alternatives on demand."""
    params = _params()
    service = get_routing()
    profile, options, closed = _context(params)
    with language(_lang(params)):
        return _directions(params, service, profile, options, closed)


def _directions(params, service, profile: str, options, closed):
    fmt = params.get("format") or "json"
    if fmt not in DIRECTION_FORMATS:
        raise InvalidQueryError(f"parameter 'format' must be one of {', '.join(DIRECTION_FORMATS)}")
    try:
        count = int(params.get("alternatives") or 1)
    except (TypeError, ValueError):
        raise InvalidQueryError("parameter 'alternatives' must be an integer") from None
    if not 1 <= count <= MAX_ALTERNATIVES:
        raise InvalidQueryError(f"parameter 'alternatives' must be between 1 and {MAX_ALTERNATIVES}")
    points = _point_list(params, "points")
    routes = (plan_alternatives(service, points, profile, options, closed, count) if count > 1
              else [plan_route(service, points, profile, options, closed)])
    if fmt == "gpx":
        best = localised(routes[0])
        best.name = best.name or gettext("Itinerary")
        text = gpx_text(best, instructions=gpx_points(itinerary_steps(service, best)))
        name = safe_filename(f"route-{profile}")
        return Response(text, mimetype="application/gpx+xml",
                        headers={"Content-Disposition": f'attachment; filename="{name}.gpx"'})
    if fmt == "html":
        cfg = current_app.config
        fmap = alternatives_map(routes, service.graph, cfg["TILE_URL"], cfg["TILE_ATTRIBUTION"],
                                network=network_overlay())
        return Response(render_map(fmap, csp_nonce()), mimetype="text/html")
    body = [_route_json(service, it) for it in routes]
    if fmt == "geojson":
        features = [{"type": "Feature", "geometry": r.pop("geometry"),
                     "properties": dict(r, rank=i)} for i, r in enumerate(body)]
        response = jsonify({"type": "FeatureCollection", "features": features})
        response.mimetype = "application/geo+json"
        return response
    return jsonify({"code": "Ok", "routes": body, "waypoints": localised(routes[0]).waypoints,
                    "language": current_language(),
                    "options": options.to_dict(), "closures_avoided": len(closed),
                    "attribution": routes[0].meta.get("attribution", [])})


@bp.route("/isochrone", methods=["GET", "POST"])
def isochrone_view():
    """Reached areas within ``minutes`` (or ``km``) as GeoJSON polygons, largest first."""
    params = _params()
    profile, options, closed = _context(params)
    point = _point_list(params, "point")
    if len(point) != 1:
        raise InvalidQueryError("parameter 'point': exactly one point")
    result = isochrone(get_routing(), point[0], profile, minutes=_numbers(params, "minutes"),
                       km=_numbers(params, "km"), options=options, closed_areas=closed)
    if params.get("format") == "html":
        cfg = current_app.config
        fmap = isochrone_map(result, cfg["TILE_URL"], cfg["TILE_ATTRIBUTION"])
        return Response(render_map(fmap, csp_nonce()), mimetype="text/html")
    return Response(json.dumps(result, ensure_ascii=False), mimetype="application/geo+json")


@bp.route("/matrix", methods=["GET", "POST"])
def matrix_view():
    """Durations (s) and distances (m) from each source to each destination."""
    params = _params()
    profile, options, closed = _context(params)
    return jsonify(dict(table(get_routing(), _point_list(params, "sources"),
                              _point_list(params, "destinations"), profile, options, closed),
                        code="Ok"))

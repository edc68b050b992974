"""OpenAPI paths of :mod:`web.routing_api` (directions, isochrone, matrix) and the
per-request route options, merged into the API document by :mod:`web.openapi`."""
from __future__ import annotations

from routing import PROFILES
from routing.alternatives import MAX_ALTERNATIVES
from routing.isochrone import MAX_BANDS, MAX_KM, MAX_MINUTES
from routing.matrix import MAX_SIDE
from routing.profiles import SAC_ORDER


def _q(name, description, schema=None, required=False):
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


#: The per-request options (``routing.options.RouteOptions``): re-weighted requests run on
#: the ALT planner instead of the contraction hierarchy.
OPTIONS = [
    _q("prefer_signed", "Preference for signed routes of the profile's kind, weighted by "
       "network level (icn > ncn > rcn > lcn, iwn > nwn > rwn > lwn)",
       {"type": "number", "minimum": 0, "maximum": 5}),
    _q("follow_route", "Ref or name of a signed route to follow (e.g. EV5)"),
    _q("avoid_unpaved", "Forbid unpaved surfaces", {"type": "boolean"}),
    _q("avoid_steps", "Forbid steps", {"type": "boolean"}),
    _q("max_sac", "Highest sac_scale: 0-5, T1-T6 or an OSM value", {"oneOf": [
        {"type": "integer", "minimum": 0, "maximum": 5},
        {"type": "string", "enum": list(SAC_ORDER) + [f"T{i}" for i in range(1, 7)]}]}),
    _q("max_mtb", "Highest mtb:scale", {"type": "number", "minimum": 0, "maximum": 6}),
    _q("avoid_areas", "GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection to avoid "
       "(at most 20 polygons)"),
    _q("date", "Day whose configured closures apply (YYYY-MM-DD, default today)",
       {"type": "string", "format": "date"}),
]
PROFILE = _q("profile", "Travel profile", {"type": "string", "enum": list(PROFILES),
                                           "default": "hike"})
PROBLEM = {"description": "Problem details (RFC 9457); 422 no-route-left when the options "
                          "and avoided areas leave no route",
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
JSON = {"content": {"application/json": {"schema": {"type": "object"}}}}


def _op(summary, params, ok):
    op = {"summary": summary, "parameters": params,
          "responses": {"200": ok, "400": PROBLEM, "422": PROBLEM, "503": PROBLEM}}
    return {"get": op, "post": dict(op, requestBody={"content": {"application/json": {
        "schema": {"type": "object", "description": "The same parameters as a JSON object"}}}})}


def paths() -> dict:
    """The OpenAPI path items of the routing API."""
    return {
        "/api/v1/directions": _op("Route with turn-by-turn steps, and alternatives", [
            PROFILE, _q("points", "Points 'LAT,LON;LAT,LON' or place ids", required=True),
            _q("alternatives", f"How many routes (1-{MAX_ALTERNATIVES}), differing by >= 30 % "
               "of their length, cost within 1.4 x the best",
               {"type": "integer", "minimum": 1, "maximum": MAX_ALTERNATIVES}),
            _q("lang", "Language of the instructions", {"type": "string", "enum": ["fr", "en"]}),
            _q("format", "json (OSRM-like routes/legs/steps), geojson, gpx (track and a "
               "rte whose rtept carry the instructions) or html (map with the alternatives)",
               {"type": "string", "enum": ["json", "geojson", "gpx", "html"], "default": "json"}),
            *OPTIONS], dict({"description": "Routes with steps"}, **JSON)),
        "/api/v1/isochrone": _op("Areas reached within minutes or km, largest band first", [
            PROFILE, _q("point", "Start point or place id", required=True),
            _q("minutes", f"Up to {MAX_BANDS} comma-separated values, each <= {MAX_MINUTES:g}"),
            _q("km", f"Instead of minutes: up to {MAX_BANDS} values, each <= {MAX_KM:g}"),
            _q("format", "geojson (default) or html (a map of the bands)",
               {"type": "string", "enum": ["geojson", "html"]}),
            *OPTIONS], {"description": "GeoJSON FeatureCollection of polygons",
                        "content": {"application/geo+json": {"schema": {"type": "object"}}}}),
        "/api/v1/matrix": _op(f"Durations and distances, up to {MAX_SIDE} x {MAX_SIDE}", [
            PROFILE, _q("sources", "Points or place ids", required=True),
            _q("destinations", "Points or place ids", required=True), *OPTIONS],
            dict({"description": "durations (s) and distances (m), rows by source; meta: "
                                 "planner (ch-buckets through the hierarchy, or one-to-many) "
                                 "and fallback (custom-weights when options, avoided areas or "
                                 "closures re-weight the edges and no hierarchy exists for "
                                 "them; null otherwise)"}, **JSON)),
    }

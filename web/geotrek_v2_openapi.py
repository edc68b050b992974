"""OpenAPI paths of the Geotrek API v2 (:mod:`web.geotrek_v2`, :mod:`web.geotrek_v2_files`),
merged into the API document by :mod:`web.openapi`."""
from __future__ import annotations

from gpx.geotrek import LANGUAGES

from .geotrek_v2 import ID_FILTERS, RANGE_FILTERS
from .geotrek_v2_lists import EMPTY_LISTS, REFERENCE_LISTS
from .geotrek_v2_params import MAX_PAGE_SIZE


def _q(name, description, schema=None):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _path(name, schema):
    return {"name": name, "in": "path", "required": True, "schema": schema}


IDS = {"type": "string", "pattern": r"^[0-9]{1,15}(,[0-9]{1,15})*$"}
COMMON = [_q("language", "Translated fields as plain strings in this language",
             {"type": "string", "enum": list(LANGUAGES)}),
          _q("fields", "Comma-separated fields to keep"),
          _q("omit", "Comma-separated fields to drop")]
FORMAT = _q("format", "json, or geojson (Feature/FeatureCollection with bbox)",
            {"type": "string", "enum": ["json", "geojson"]})
PAGES = [_q("page", "Page number", {"type": "integer", "minimum": 1}),
         _q("page_size", "Items per page", {"type": "integer", "minimum": 1,
                                            "maximum": MAX_PAGE_SIZE})]
BBOX = _q("in_bbox", "minlon,minlat,maxlon,maxlat (WGS84)")
FILTERS = ([_q(name, f"Comma-separated ids of {field}", IDS) for name, field in ID_FILTERS.items()]
           + [_q(f"{name}_{end}", f"{end}imum {field} (hours for duration, else metres)",
                 {"type": "number", "minimum": 0})
              for name, field in RANGE_FILTERS.items() for end in ("min", "max")]
           + [_q("q", "Words of the name (case and accents ignored)", {"type": "string",
                                                                       "maxLength": 200}),
              _q("cities", "Comma-separated commune codes (INSEE)"), BBOX,
              _q("published", "Only published treks are served", {"type": "string",
                                                                  "enum": ["true", "false"]})])
PROBLEM = {"description": "Problem details (RFC 9457) naming the parameter in `field`",
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
JSON = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}},
                                         "application/geo+json": {"schema": {"type": "object"}}}}
TREK_ID = _path("trek_id", {"type": "integer", "minimum": 0})


def _get(summary, params, binary=None):
    ok = JSON if binary is None else {"description": "OK", "content": {
        binary: {"schema": {"type": "string", "format": "binary"}}}}
    return {"get": {"summary": summary, "tags": ["Geotrek API v2"], "parameters": params,
                    "responses": {"200": ok, "400": PROBLEM, "404": PROBLEM, "503": PROBLEM}}}


def paths() -> dict:
    """The ``/api/v2/`` paths."""
    lists = ", ".join(REFERENCE_LISTS) + ", city"
    return {
        "/api/v2/trek/": _get("Published treks (itineraries and their stages), paginated "
                              "like Geotrek (count/next/previous/results)",
                              COMMON + [FORMAT] + PAGES + FILTERS),
        "/api/v2/trek/{trek_id}/": _get("One trek (a stage: parents/previous/next)",
                                        [TREK_ID] + COMMON + [FORMAT]),
        "/api/v2/tour/": _get("Multi-day treks with their ordered steps",
                              COMMON + [FORMAT] + PAGES + FILTERS),
        "/api/v2/tour/{trek_id}/": _get("One multi-day trek with its steps",
                                        [TREK_ID] + COMMON + [FORMAT]),
        "/api/v2/poi/": _get("Places along the published treks",
                             COMMON + [FORMAT] + PAGES + [_q("trek", "Trek id", IDS),
                                                          _q("types", "POI type ids", IDS), BBOX]),
        "/api/v2/poi/{poi}/": _get("One place", [_path("poi", {"type": "integer", "minimum": 0})]
                                   + COMMON + [FORMAT]),
        "/api/v2/{endpoint}/": _get(
            f"A reference list ({lists}); the lists of content this service does not hold "
            f"({', '.join(EMPTY_LISTS)}) are empty, so that Geotrek-rando pages load", [
                _path("endpoint", {"type": "string",
                                   "enum": [*REFERENCE_LISTS, "city", *EMPTY_LISTS]})]
            + COMMON + PAGES),
        "/api/v2/{endpoint}/{ref}/": _get("One entry of a reference list", [
            _path("endpoint", {"type": "string", "enum": [*REFERENCE_LISTS, "city"]}),
            _path("ref", {"type": "string", "maxLength": 64})] + COMMON),
        "/api/v2/trek/{trek_id}/{slug}.gpx": _get("GPX of a trek", [
            TREK_ID, _path("slug", {"type": "string"})], "application/gpx+xml"),
        "/api/v2/trek/{trek_id}/{slug}.kml": _get("KML of a trek", [
            TREK_ID, _path("slug", {"type": "string"})], "application/vnd.google-earth.kml+xml"),
        "/api/v2/trek/{trek_id}/{slug}.pdf": _get("One-page PDF sheet of a trek", [
            TREK_ID, _path("slug", {"type": "string"}), COMMON[0]], "application/pdf"),
        "/api/v2/trek/{trek_id}/profile/": _get(
            "Altimetric profile [distance, elevation or null, [lon, lat]] (format=svg: SVG)",
            [TREK_ID, _q("format", "svg for an image", {"type": "string", "enum": ["json", "svg"]})]),
        "/api/v2/trek/{trek_id}/dem/": _get("Elevation grid around a trek (elevation_area_url)",
                                            [TREK_ID]),
    }

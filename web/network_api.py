"""The routing network as map data (``/api/v1/network``) and what is near a point
(``/api/v1/reverse``): the two things a map needs from the graph when it has no tiles.

Both answers are bounded: a box covers at most ``NETWORK_MAX_TILES`` tiles of its
zoom and holds at most ``NETWORK_MAX_LINES`` ways (else a 413 problem naming
``bbox``); a reverse lookup searches within ``radius`` ≤ 2 km. Tiles are kept per
(graph build, zoom, x, y) in a bounded cache, answers carry an ETag naming the build
and the tiles, so a client that has them gets a 304, and are gzipped when asked.
"""
from __future__ import annotations

import gzip
import hashlib

from flask import Blueprint, Response, current_app, jsonify, request

from routing.router import NetworkCache

from .api import parse_bbox
from .extensions import get_routing
from .lru import BoundedLRU
from .network_layer import (CLASSES, HIGHEST_ZOOM, LOWEST_ZOOM, NetworkLayer, NetworkLayerError,
                            collect, data_zoom, tile_bounds, tile_range)
from .network_words import network_words
from .params import Param, arg
from .planning import PROFILE
from .problems import Problem, invalid_params

bp = Blueprint("network_api", __name__, url_prefix="/api/v1")
STATE_KEY = "bassin_network"
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"

NETWORK_PARAMS = (
    Param("bbox", description="south,west,north,east (WGS84 degrees) of the view",
          required=True, max_length=120, example="49.40,8.67,49.42,8.71"),
    Param("zoom", "integer", "Zoom of the map: sets the simplification, the classes shown "
          f"and the tiles (drawn from {LOWEST_ZOOM}; above {HIGHEST_ZOOM}, as {HIGHEST_ZOOM})",
          required=True, minimum=LOWEST_ZOOM, maximum=22, example=14),
)
REVERSE_PARAMS = (
    Param("point", "points", "LAT,LON of the point to name", required=True, max_items=1,
          max_length=60, example="49.4094,8.6942"),
    PROFILE,
    Param("radius", "number", "Metres within which a named place names the point",
          default=150.0, minimum=0, maximum=2000),
)


class NetworkState:
    """Per app: the network layer of the graph served, its tiles (each built once) and its
    latest answers."""

    def __init__(self, tiles: int, answer_bytes: int):
        self.layers = NetworkCache(lambda key: NetworkLayer(key[1]), size=2)
        self.tiles = NetworkCache(self._tile, size=max(int(tiles), 1))
        # Browsers ask for boxes snapped to the tile grid, so a view seen once is asked
        # again as is (another visitor, a pan back): then one lookup, no join, no gzip.
        self.answers = BoundedLRU(4096, int(answer_bytes))

    def layer(self, graph) -> NetworkLayer:
        return self.layers.get((str(graph.build_id), graph))

    @staticmethod
    def _tile(key):
        layer, zoom, x, y = key[1], key[2], key[3], key[4]
        return layer.tile(zoom, x, y)


@bp.record_once
def _setup(state) -> None:
    app = state.app
    app.config.setdefault("NETWORK_MAX_TILES", 160)
    app.config.setdefault("NETWORK_MAX_LINES", 60000)
    app.config.setdefault("NETWORK_TILE_CACHE", 2048)
    app.config.setdefault("NETWORK_ANSWER_CACHE_MB", 32)
    app.extensions[STATE_KEY] = NetworkState(app.config["NETWORK_TILE_CACHE"],
                                             app.config["NETWORK_ANSWER_CACHE_MB"] * 2 ** 20)
    # templates: {% include "network_layer.html" %} hands these to static/network-layer.js
    app.jinja_env.globals["network_words"] = network_words


def network_state() -> NetworkState:
    """The current app's network layer state."""
    return current_app.extensions[STATE_KEY]


def _answer(body: bytes, etag: str) -> Response:
    """The gzipped ``body``, inflated for a client that does not take gzip."""
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        headers["Content-Encoding"] = "gzip"
    else:
        body = gzip.decompress(body)
    return Response(body, mimetype="application/geo+json", headers=headers)


@bp.get("/network")
def network():
    """The ways of the routing network in a box, drawn for a zoom (GeoJSON)."""
    box, zoom = parse_bbox(arg(NETWORK_PARAMS[0])), arg(NETWORK_PARAMS[1])
    south, west, north, east = box
    if south >= north or west >= east:
        raise Problem(400, "Invalid parameter", "parameter 'bbox' must have south < north and "
                      "west < east", "invalid-params",
                      **invalid_params("bbox", "must have south < north and west < east"))
    cfg = current_app.config
    dz = data_zoom(zoom)
    x0, y0, x1, y1 = tile_range(south, west, north, east, dz)
    count = (x1 - x0 + 1) * (y1 - y0 + 1)
    if count > cfg["NETWORK_MAX_TILES"]:
        reason = (f"covers {count} tiles at zoom {dz}; at most {cfg['NETWORK_MAX_TILES']}: "
                  "zoom in or ask for a smaller box")
        raise Problem(413, "Box too large", f"parameter 'bbox' {reason}", "bbox-too-large",
                      **invalid_params("bbox", reason))
    graph = get_routing().graph
    tag = hashlib.sha1(f"{graph.build_id}/{dz}/{x0}/{y0}/{x1}/{y1}".encode()).hexdigest()[:20]
    etag = f'W/"net-{tag}"'
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers={"ETag": etag, "Vary": "Accept-Encoding",
                                             "Cache-Control": "public, max-age=300"})
    state = network_state()
    key = (str(graph.build_id), dz, x0, y0, x1, y1)
    body = state.answers.get(key)
    if body is None:
        body = gzip.compress(_collection(state, graph, dz, (x0, y0, x1, y1)).encode(),
                             compresslevel=4)
        state.answers.put(key, body)
    return _answer(body, etag)


def _collection(state: NetworkState, graph, dz: int, tiles: tuple) -> str:
    """The FeatureCollection text of the tiles ``x0, y0, x1, y1`` at zoom ``dz``."""
    x0, y0, x1, y1 = tiles
    layer = state.layer(graph)
    found = (state.tiles.get((layer.build, layer, dz, x, y))
             for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
    try:
        features, lines = collect(found, current_app.config["NETWORK_MAX_LINES"])
    except NetworkLayerError as exc:
        raise Problem(413, "Box too large", str(exc), "bbox-too-large",
                      **invalid_params(exc.field, exc.reason)) from None
    s, w, _, _ = tile_bounds(dz, x0, y1)
    _, _, n, e = tile_bounds(dz, x1, y0)
    head = (f'{{"type":"FeatureCollection","zoom":{dz},"lines":{lines},'
            f'"bbox":[{w:.6f},{s:.6f},{e:.6f},{n:.6f}],"build":"{layer.build}",'
            f'"classes":{_json_list(CLASSES)},"attribution":"{ATTRIBUTION}","features":[')
    return head + ",".join(features) + "]}"


def _json_list(items) -> str:
    return "[" + ",".join(f'"{item}"' for item in items) + "]"


@bp.get("/reverse")
def reverse():
    """What names a point: the nearest named place within ``radius``, else the way it
    snaps to (its name or ref, or the signed route it carries), with the snapped point."""
    point = arg(REVERSE_PARAMS[0])[0]
    profile, radius = arg(REVERSE_PARAMS[1]), arg(REVERSE_PARAMS[2])
    if isinstance(point, str):
        raise Problem(400, "Invalid parameter", "parameter 'point' must be LAT,LON",
                      "invalid-params", **invalid_params("point", "must be LAT,LON"))
    service = get_routing()
    endpoint = service.endpoint(point, service.network(profile))
    layer = network_state().layer(service.graph)
    edge = endpoint.edge
    way = {"name": service.graph.name_of(edge), "class": CLASSES[layer.klass[edge]],
           "routes": layer.refs[edge] or [], "distance_m": round(endpoint.snap_m, 1)}
    place = _nearest_place(service, point, radius)
    name = (place or {}).get("name") or way["name"] or (way["routes"] or [None])[0]
    return jsonify({"name": name, "source": "place" if place and place.get("name") else
                    "way" if name else None, "place": place, "way": way,
                    "snap": {"lat": round(endpoint.lat, 7), "lon": round(endpoint.lon, 7)}})


def _nearest_place(service, point, radius: float) -> dict | None:
    """The nearest named place within ``radius`` metres of ``point`` (an area place: of its
    outline), or None."""
    found = service.places.nearest_named(point[0], point[1], radius)
    if found is None:
        return None
    place, distance = service.places.places[found[0]], found[1]
    return {"id": place.id, "name": place.name, "kind": place.kind,
            "distance_m": round(distance, 1)}


def openapi_paths() -> dict:
    """The OpenAPI path items of this module (merged by :mod:`web.openapi`)."""
    problem = {"description": "Problem details (RFC 9457) naming the field",
               "content": {"application/problem+json": {
                   "schema": {"$ref": "#/components/schemas/Problem"}}}}
    geojson = {"application/geo+json": {"schema": {"type": "object"}}}
    return {
        "/api/v1/network": {"get": {
            "summary": "Ways of the routing network in a box, by class and signed route",
            "description": "A GeoJSON FeatureCollection of MultiLineStrings, one per "
                           "combination of properties: `class` (" + ", ".join(CLASSES) + "), "
                           "`cycle` (icn/ncn/rcn/lcn) and `walk` (iwn/nwn/rwn/lwn) network "
                           "levels of the signed routes, their `refs`, and from zoom 14 the "
                           "way `name`. Simplified for the zoom; dense tiles drop the minor "
                           "classes. Weak ETag per graph build and tiles (304 on "
                           "If-None-Match); gzip on Accept-Encoding.",
            "parameters": [spec.openapi() for spec in NETWORK_PARAMS],
            "responses": {"200": {"description": "The ways", "content": geojson,
                                  "headers": {"ETag": {"schema": {"type": "string"}}}},
                          "304": {"description": "Not modified (If-None-Match)"},
                          "400": problem, "413": problem, "503": problem}}},
        "/api/v1/reverse": {"get": {
            "summary": "Name of a point: nearest named place within a radius, else its way",
            "parameters": [spec.openapi() for spec in REVERSE_PARAMS],
            "responses": {"200": {"description": "name, source (place or way), place, way, "
                                                 "snapped point",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "400": problem, "422": problem, "503": problem}}},
    }

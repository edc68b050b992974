"""The network layer (/api/v1/network) and the reverse lookup (/api/v1/reverse): classes and
signed routes on real graphs, bounded boxes with problems naming the field, ETag and 304,
gzip, tiles cached per build, and the grid lookup agreeing with a scan of every edge."""
import gzip
import json

import numpy as np
import pytest

import routing
from web import create_app
from web.network_layer import (CLASSES, TILE_BUDGET, NetworkLayer, collect, tile_bounds,
                               tile_range)

HEIDELBERG_CENTRE = (49.4094, 8.6942)


def _box(lat, lon, zoom, width=1280, height=800):
    """south, west, north, east of a view of ``width`` x ``height`` px at ``zoom``."""
    span_lon = width / 256 / 2 ** zoom * 360
    span_lat = height / 256 / 2 ** zoom * 360 * np.cos(np.radians(lat))
    return lat - span_lat / 2, lon - span_lon / 2, lat + span_lat / 2, lon + span_lon / 2


def _query(box, zoom) -> str:
    return f"/api/v1/network?bbox={','.join(f'{v:.6f}' for v in box)}&zoom={zoom}"


@pytest.fixture(scope="module")
def heidelberg_app(built, tmp_path_factory):
    """The app on Heidelberg with no profile prepared: the layer needs the graph only."""
    graph = built("heidelberg")[0]
    folder = tmp_path_factory.mktemp("heidelberg-app")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'h.db'}", "INSTANCE_DIR": str(folder),
                      "TESTING": True, "LOG_FORMAT": "none"},
                     router=routing.RoutingService(graph, profiles=[]))
    yield app
    app.extensions["bassin_db"].engine.dispose()


def _classes(fc) -> set:
    return {f["properties"]["class"] for f in fc["features"]}


def test_heidelberg_classes_by_zoom(heidelberg_app):
    client = heidelberg_app.test_client()
    near = client.get(_query(_box(*HEIDELBERG_CENTRE, 16), 16)).get_json()
    assert {"residential", "footway", "pedestrian", "steps", "service", "primary"} <= _classes(near)
    far = client.get(_query(_box(*HEIDELBERG_CENTRE, 12), 12)).get_json()
    assert {"primary", "secondary", "tertiary", "cycleway"} <= _classes(far)
    # zoomed out, the dense old town's tile drops the footways and steps it shows close up,
    # but for those of signed routes (sparse tiles around keep them)
    lat, lon = HEIDELBERG_CENTRE
    town = client.get(_query((lat, lon, lat + 1e-4, lon + 1e-4), 12)).get_json()
    minor = [f for f in town["features"] if f["properties"]["class"] in ("steps", "footway")]
    assert all(f["properties"].get("walk") or f["properties"].get("cycle") for f in minor)
    assert any(not (f["properties"].get("walk") or f["properties"].get("cycle"))
               for f in near["features"] if f["properties"]["class"] == "footway")
    assert far["lines"] > 1000 and near["lines"] > 500
    for fc in (near, far):
        assert fc["attribution"].startswith("©") and fc["features"]
        for feature in fc["features"]:
            assert feature["geometry"]["type"] == "MultiLineString"
            assert feature["properties"]["class"] in CLASSES
            assert all(len(line) >= 2 for line in feature["geometry"]["coordinates"])
    # signed routes: the Neckar cycle routes (icn/rcn) and hiking routes are flagged
    levels = {f["properties"].get("cycle") for f in far["features"]} | \
             {f["properties"].get("walk") for f in far["features"]}
    assert {"icn", "rcn", "lwn"} <= levels
    refs = {r for f in far["features"] for r in f["properties"].get("refs", [])}
    assert len(refs) >= 5
    # ways are named from zoom 14 only (tooltips), never below
    assert any("name" in f["properties"] for f in near["features"])
    assert not any("name" in f["properties"] for f in far["features"])


def test_basin_network_shows_ev5_and_every_way_when_sparse(web_app, router_for):
    graph = router_for("basin").graph
    client = web_app.test_client()
    box = (50.40, 2.70, 50.48, 2.85)                # Loos-en-Gohelle – Lens
    fc = client.get(_query(box, 12)).get_json()
    assert _classes(fc) == {"cycleway", "path"}
    ev5 = [f for f in fc["features"] if "EV5" in f["properties"].get("refs", [])]
    assert ev5 and all(f["properties"]["cycle"] == "icn" for f in ev5)
    # sparse tiles hold every way, paths included, though paths are due at zoom 13 only;
    # dense ones hold what is due at their zoom and whole classes while under the budget
    assert any(not (f["properties"].get("walk") or f["properties"].get("cycle"))
               for f in fc["features"] if f["properties"]["class"] == "path")
    layer = NetworkLayer(graph)
    x0, y0, x1, y1 = tile_range(*box, 12)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            south, west, north, east = tile_bounds(12, x, y)
            pad = (east - west) / 256
            near = layer.edges_in(south - pad, west - pad, north + pad, east + pad)
            kept = layer.tile(12, x, y).edges
            due = near[layer.min_zoom[near] <= 12]
            assert set(due.tolist()) <= set(kept.tolist())
            if len(near) <= TILE_BUDGET:
                assert np.array_equal(np.sort(kept), np.sort(near))


def test_grid_lookup_agrees_with_a_scan(built):
    graph = built("heidelberg")[0]
    layer = NetworkLayer(graph)
    rng = np.random.default_rng(7)
    ptr = graph.edge_geom_ptr
    for _ in range(25):
        lat = rng.uniform(49.35, 49.50)
        lon = rng.uniform(8.55, 8.85)
        span = rng.uniform(0.002, 0.05)
        box = (lat, lon, lat + span, lon + span)
        found = layer.edges_in(*box)
        south = np.minimum.reduceat(graph.shape_lat, ptr[:-1])
        north = np.maximum.reduceat(graph.shape_lat, ptr[:-1])
        west = np.minimum.reduceat(graph.shape_lon, ptr[:-1])
        east = np.maximum.reduceat(graph.shape_lon, ptr[:-1])
        scan = np.flatnonzero((south <= box[2]) & (north >= box[0]) & (west <= box[3])
                              & (east >= box[1]))
        assert np.array_equal(np.sort(found), scan)


def test_each_edge_once_in_drawing_order(built):
    layer = NetworkLayer(built("heidelberg")[0])
    box = _box(*HEIDELBERG_CENTRE, 15)
    x0, y0, x1, y1 = tile_range(*box, 15)
    tiles = [layer.tile(15, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    features, lines = collect(tiles, 10 ** 6)
    assert lines == len(set(np.concatenate([t.edges for t in tiles]).tolist()))
    parsed = [json.loads(f) for f in features]
    assert sum(len(f["geometry"]["coordinates"]) for f in parsed) == lines
    ranks = [CLASSES.index(f["properties"]["class"])
             + 16 * max(("", "lcn", "rcn", "ncn", "icn").index(f["properties"].get("cycle", "")),
                        ("", "lwn", "rwn", "nwn", "iwn").index(f["properties"].get("walk", "")))
             for f in parsed]
    assert ranks == sorted(ranks)                   # minor classes first, signed routes on top


def test_bad_boxes_are_problems_naming_the_field(heidelberg_app):
    client = heidelberg_app.test_client()
    cases = {
        "/api/v1/network?zoom=14": (400, "bbox"),
        "/api/v1/network?bbox=49.40,8.67,49.42&zoom=14": (400, "bbox"),
        "/api/v1/network?bbox=49.42,8.67,49.40,8.71&zoom=14": (400, "bbox"),
        "/api/v1/network?bbox=49.40,8.71,49.42,8.67&zoom=14": (400, "bbox"),
        "/api/v1/network?bbox=nan,8.67,49.42,8.71&zoom=14": (400, "bbox"),
        "/api/v1/network?bbox=49.40,8.67,49.42,8.71&zoom=9": (400, "zoom"),
        "/api/v1/network?bbox=49.40,8.67,49.42,8.71&zoom=abc": (400, "zoom"),
        "/api/v1/network?bbox=49.40,8.67,49.42,8.71": (400, "zoom"),
        "/api/v1/network?bbox=48.0,7.0,50.0,10.0&zoom=14": (413, "bbox"),
    }
    for url, (status, field) in cases.items():
        response = client.get(url)
        assert response.status_code == status, (url, response.get_data(as_text=True))
        body = response.get_json()
        assert response.mimetype == "application/problem+json"
        assert body["field"] == field and body["invalid_params"][0]["name"] == field, url


def test_too_many_ways_is_a_413(built, tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
                      "INSTANCE_DIR": str(tmp_path), "TESTING": True, "LOG_FORMAT": "none",
                      "NETWORK_MAX_LINES": 500},
                     router=routing.RoutingService(built("heidelberg")[0], profiles=[]))
    response = app.test_client().get(_query(_box(*HEIDELBERG_CENTRE, 14), 14))
    assert response.status_code == 413
    assert response.get_json()["field"] == "bbox" and "500" in response.get_json()["detail"]
    app.extensions["bassin_db"].engine.dispose()


def test_etag_304_gzip_and_tile_cache(heidelberg_app):
    client = heidelberg_app.test_client()
    url = _query(_box(*HEIDELBERG_CENTRE, 15), 15)
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in first.headers["Vary"]
    body = json.loads(gzip.decompress(first.data))
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers and plain.get_json() == body
    assert len(first.data) * 3 < len(plain.data)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and plain.headers["ETag"] == etag
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data and again.headers["ETag"] == etag
    other = client.get(_query(_box(49.40, 8.72, 15), 15))
    assert other.headers["ETag"] != etag
    assert client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200
    state = heidelberg_app.extensions["bassin_network"]
    assert len(state.tiles) <= heidelberg_app.config["NETWORK_TILE_CACHE"]
    assert state.answers.hits >= 1                  # the same box again: no join, no gzip
    # the ETag names the graph build: another build, another tag for the same box
    assert body["build"] == str(heidelberg_app.extensions["bassin"].service.graph.build_id)


def test_reverse_names_a_point_by_place_then_way(web_app, router_for):
    client = web_app.test_client()
    graph = router_for("basin").graph
    site = graph.place("site:louvre-lens")
    near = client.get(f"/api/v1/reverse?point={site.lat},{site.lon}").get_json()
    assert near["source"] == "place" and near["place"]["id"] == "site:louvre-lens"
    assert near["name"] == site.name and near["place"]["distance_m"] <= 150
    # with no place in the radius, the way (or the signed route it carries) names it
    lone = client.get(f"/api/v1/reverse?point={site.lat},{site.lon}&radius=0").get_json()
    assert lone["place"] is None and lone["way"]["class"] in CLASSES
    assert lone["name"] in (lone["way"]["name"], *(lone["way"]["routes"] or [None]))
    assert abs(lone["snap"]["lat"] - site.lat) < 0.02
    for url, field in (("/api/v1/reverse", "point"), ("/api/v1/reverse?point=site:louvre-lens",
                                                      "point"),
                       ("/api/v1/reverse?point=50.43,2.80&radius=5000", "radius"),
                       ("/api/v1/reverse?point=50.43,2.80&profile=boat", "profile")):
        response = client.get(url)
        assert response.status_code == 400 and response.get_json()["field"] == field, url
    assert client.get("/api/v1/reverse?point=10.0,10.0").status_code == 422


def test_documented_in_openapi(web_app):
    doc = web_app.test_client().get("/api/v1/openapi.json").get_json()
    network = doc["paths"]["/api/v1/network"]["get"]
    assert {p["name"] for p in network["parameters"]} == {"bbox", "zoom"}
    assert {"200", "304", "400", "413"} <= set(network["responses"])
    assert "/api/v1/reverse" in doc["paths"]


def test_answer_cache_is_bounded_in_bytes():
    from web.lru import BoundedLRU

    cache = BoundedLRU(100, 1000)
    for i in range(20):
        cache.put(i, bytes(200))
    assert len(cache) == 5 and cache.get(0) is None and cache.get(19) == bytes(200)
    cache.get(15)                                   # used: kept over older ones
    cache.put("new", bytes(200))
    assert cache.get(15) is not None and cache.get(16) is None
    cache.put("huge", bytes(1001))                  # larger than the bound: not kept
    assert cache.get("huge") is None and cache.get(19) is not None

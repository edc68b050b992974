"""Avoided areas and configured closures hold for every planner: routes, alternatives,
tours, loops, stages, node routes, isochrones and matrices.

Each test plans once without restriction, puts a box on the middle of what it found
(the obvious path), plans again avoiding the box and checks that the new result exists
and enters the box nowhere; a box over everything is a 422 ``no-route-left`` naming the
field. The basin test network (shared data) for the real planners, the hand-written
node-network fixture for node routes.
"""
import json

import pytest
import shapely
from shapely.geometry import shape

import graphs
import routing
from routing.avoid import edges_in_areas, parse_polygons
from routing.isochrone import BUFFER_M, isochrone
from routing.matrix import table
from routing.node_network import NodePlanner
from routing.options import RouteOptions
from routing.restrict import AreaMasks, plan_route
from routing.router import NetworkCache

from .conftest import FIXTURES

POINTS = ["site:base-11-19", "site:louvre-lens"]
STOPS = ["site:base-11-19", "site:louvre-lens", "site:lewarde"]


def box(lat, lon, half):
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


def middle_box(itinerary, half=0.002, at=0.5):
    k = int(at * (len(itinerary.lat) - 1))
    return box(float(itinerary.lat[k]), float(itinerary.lon[k]), half)


def edges_of(itinerary) -> set:
    legs = itinerary.pieces + [p for s in itinerary.stages for p in s.pieces]
    return {int(p[0]) for leg in legs for p in leg}


def inside(router, itinerary, area) -> set:
    """Edges of the itinerary (and of its stages) that enter ``area``."""
    mask = edges_in_areas(router.graph, parse_polygons(area))
    return {e for e in edges_of(itinerary) if mask[e]}


def avoiding(area) -> RouteOptions:
    return RouteOptions.from_params({"avoid_areas": area})


@pytest.fixture(scope="module")
def basin(router_for):
    return router_for("basin")


def test_routes_and_alternatives_avoid_the_area(basin):
    from routing.alternatives import plan_alternatives

    plain = plan_route(basin, POINTS, "bike")
    area = middle_box(plain)
    assert inside(basin, plain, area)                   # the box cuts the obvious path
    for routes in ([plan_route(basin, POINTS, "bike", avoiding(area))],
                   plan_alternatives(basin, POINTS, "bike", avoiding(area), count=3)):
        assert routes and all(not inside(basin, it, area) for it in routes)
        assert all(it.meta["planner"] == "alt" and it.meta["restricted_by"] == ["avoid_areas"]
                   for it in routes)
    with pytest.raises(routing.NoRouteLeftError) as caught:
        plan_route(basin, POINTS, "bike", avoiding(middle_box(plain, half=1.0)))
    assert caught.value.field == "avoid_areas"


def test_tours_avoid_the_area(basin):
    plain = basin.tour(STOPS, "bike")
    area = middle_box(plain, at=0.3)
    assert inside(basin, plain, area)
    tour = basin.tour(STOPS, "bike", options=avoiding(area))
    assert not inside(basin, tour, area) and len(tour.waypoints) == len(STOPS)
    assert tour.meta["restricted_by"] == ["avoid_areas"]
    # a closure around one stop cuts it off: no-route-left naming the field
    lewarde = basin.endpoint("site:lewarde", basin.network("bike"))
    ring = shapely.Point(lewarde.lon, lewarde.lat).buffer(0.02).difference(
        shapely.Point(lewarde.lon, lewarde.lat).buffer(0.01))
    with pytest.raises(routing.NoRouteLeftError) as caught:
        basin.tour(STOPS, "bike", closed_areas=(ring,))
    assert caught.value.field == "date" and caught.value.problem["stops"] == ["site:lewarde"]


def test_time_window_tours_avoid_the_area_too(basin):
    plain = basin.tour(STOPS, "bike", start_time="09:00", windows=";;-18:00")
    area = middle_box(plain, at=0.3)
    tour = basin.tour(STOPS, "bike", start_time="09:00", windows=";;-18:00",
                      options=avoiding(area))
    assert inside(basin, plain, area) and not inside(basin, tour, area)


def test_loops_avoid_the_area(basin):
    plain = basin.loop("site:base-11-19", 20, "hike", favour=["terril"], seed=1)[0]
    area = middle_box(plain, half=0.003, at=0.6)
    assert inside(basin, plain, area)
    loops = basin.loop("site:base-11-19", 20, "hike", favour=["terril"], seed=1,
                       options=avoiding(area))
    assert loops and all(not inside(basin, it, area) for it in loops)
    assert all(abs(it.distance_m - 20000) <= 2000 for it in loops)
    start = basin.endpoint("site:base-11-19", basin.network("hike"))
    with pytest.raises(routing.NoRouteLeftError):
        basin.loop("site:base-11-19", 20, "hike",
                   options=avoiding(box(start.lat, start.lon, 0.03)))


def test_stages_avoid_the_area(basin):
    plain = plan_route(basin, POINTS, "hike")
    area = middle_box(plain, at=0.4)
    options = avoiding(area)
    base = plan_route(basin, POINTS, "hike", options)
    staged = basin.stages(base, days=2, options=options)
    assert len(staged.stages) == 2 and inside(basin, plain, area)
    assert not inside(basin, staged, area)
    assert all(s.meta["restricted_by"] == ["avoid_areas"] for s in staged.stages)


def test_isochrones_leave_the_area_out(basin):
    origin = basin.endpoint("site:louvre-lens", basin.network("bike"))
    area = box(origin.lat + 0.012, origin.lon, 0.006)
    core = shape(area).buffer(-2 * BUFFER_M / 111_000)       # beyond the ways' buffer
    plain = isochrone(basin, "site:louvre-lens", "bike", minutes=[20])
    cut = isochrone(basin, "site:louvre-lens", "bike", minutes=[20], options=avoiding(area))
    assert shape(plain["features"][0]["geometry"]).intersects(core)
    assert not shape(cut["features"][0]["geometry"]).intersects(core)
    assert cut["features"][0]["properties"]["reached_km"] > 0
    assert cut["properties"]["restricted_by"] == ["avoid_areas"]


def test_matrices_avoid_the_area_and_agree_with_routes(basin):
    plain = plan_route(basin, POINTS, "bike")
    area = middle_box(plain)
    free = table(basin, POINTS, POINTS, "bike")
    cut = table(basin, POINTS, POINTS, "bike", avoiding(area))
    assert free["meta"] == {"fallback": None, "planner": "ch-buckets"}
    assert cut["meta"]["fallback"] == "custom-weights" and cut["planner"] == "one-to-many"
    detour = plan_route(basin, POINTS, "bike", avoiding(area))
    assert cut["distances"][0][1] == pytest.approx(detour.distance_m, abs=1.0)
    assert cut["distances"][0][1] > free["distances"][0][1]


def test_area_masks_are_built_once_per_distinct_set(basin):
    calls = []

    class Counting(NetworkCache):
        def get(self, key):
            calls.append(key)
            return super().get(key)

    masks = AreaMasks(basin.graph, lambda build: Counting(build))
    polygons = parse_polygons(box(50.43, 2.80, 0.01))
    first = masks(basin.graph, polygons)
    again = masks(basin.graph, parse_polygons(box(50.43, 2.80, 0.01)))
    assert first is again and not first.flags.writeable
    assert masks.cache.misses == 1 and masks.cache.hits == 1 and len(calls) == 2
    assert (first == edges_in_areas(basin.graph, polygons)).all()
    # many threads asking for one new set at once: built once, the same array for all
    from concurrent.futures import ThreadPoolExecutor

    fresh = parse_polygons(box(50.45, 2.75, 0.02))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: masks(basin.graph, fresh), range(16)))
    assert masks.cache.misses == 2 and all(r is results[0] for r in results)


def test_openapi_documents_the_restrictions_of_every_planner(web_app):
    doc = web_app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/route", "/api/v1/tour", "/api/v1/loop", "/api/v1/stages",
                 "/api/v1/directions", "/api/v1/isochrone", "/api/v1/matrix",
                 "/api/v1/node-networks/{network}/route"):
        names = {p["name"] for p in doc["paths"][path]["get"]["parameters"]}
        assert {"avoid_areas", "date", "avoid_unpaved", "max_sac"} <= names, path
    problem = doc["components"]["schemas"]["Problem"]["properties"]
    assert {"field", "causes"} <= set(problem)


# -- node networks: the hand-written fixture -----------------------------------------------
@pytest.fixture(scope="module")
def node_planner(tmp_path_factory):
    graph = graphs.build_graph(FIXTURES / "node_network.osm.xml", name="nodes")
    return NodePlanner(routing.Router(graphs.load_graph(
        graphs.save_graph(graph, tmp_path_factory.mktemp("g") / "nodes"))))


def test_node_routes_go_round_the_area(node_planner):
    plain = node_planner.plan("rcn", ["12", "07"])
    assert [s["label"] for s in plain.sequence] == ["12", "45", "07"]
    area = box(50.5000, 2.9100, 0.002)                 # on the 12 - 45 link
    result = node_planner.plan("rcn", ["12", "07"], options=avoiding(area))
    assert [s["label"] for s in result.sequence] == ["12", "3", "07"]
    assert not inside(node_planner.router, result.itinerary, area)
    assert result.itinerary.meta["restricted_by"] == ["avoid_areas"]
    with pytest.raises(routing.NoRouteLeftError) as caught:
        node_planner.plan("rcn", ["12", "07"], options=avoiding(box(50.51, 2.92, 0.003)))
    assert caught.value.field == "avoid_areas"


# -- over HTTP, with a configured closures layer --------------------------------------------
@pytest.fixture(scope="module")
def closed_app(basin, tmp_path_factory):
    """The app with a dated closure on the middle of the bike route 11/19 -> Louvre-Lens."""
    from web import create_app

    tmp = tmp_path_factory.mktemp("closures")
    plain = plan_route(basin, POINTS, "bike")
    area = middle_box(plain)
    layer = tmp / "closures.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": area,
         "properties": {"reason": "travaux", "from": "2020-01-01", "to": "2099-12-31"}}]}))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'c.db'}", "TESTING": True,
                      "INSTANCE_DIR": str(tmp / "i"), "CLOSURES_FILE": str(layer),
                      "BUDGET_SECONDS": None}, router=basin)
    app.closure_area = area
    return app


def test_every_planner_honours_the_configured_closures(closed_app, basin):
    client, area = closed_app.test_client(), closed_app.closure_area
    mask = edges_in_areas(basin.graph, parse_polygons(area))

    def clear(geojson):
        lines = [shapely.LineString(f["geometry"]["coordinates"]) for f in geojson["features"]
                 if f["geometry"]["type"] == "LineString"]
        assert lines
        return not any(line.intersects(shape(area)) for line in lines)

    stops = ";".join(POINTS)
    for url in (f"/api/v1/route?profile=bike&points={stops}",
                f"/api/v1/tour?profile=bike&stops={stops};site:lewarde",
                f"/api/v1/stages?profile=bike&points={stops}&days=2"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True))
        assert clear(response.get_json()), url
        dated = client.get(url + "&date=2019-01-01")       # before the closure: straight on
        assert dated.status_code == 200 and not clear(dated.get_json()), url
    matrix = client.get(f"/api/v1/matrix?profile=bike&sources={stops}&destinations={stops}")
    assert matrix.get_json()["meta"]["closures_avoided"] == 1
    assert mask.any()


def test_no_route_left_names_the_field_over_http(closed_app):
    client = closed_app.test_client()
    everything = json.dumps(box(50.45, 2.8, 1.0))
    for url in (f"/api/v1/tour?profile=bike&stops={';'.join(STOPS)}&avoid_areas={everything}",
                f"/api/v1/loop?profile=hike&start=site:base-11-19&km=12&avoid_areas={everything}",
                f"/api/v1/isochrone?profile=bike&point=site:louvre-lens&minutes=10"
                f"&avoid_areas={everything}"):
        response = client.get(url)
        assert response.status_code == 422, (url, response.get_data(as_text=True))
        body = response.get_json()
        assert body["type"].endswith("no-route-left") and body["field"] == "avoid_areas", url
        assert body["causes"] == ["avoid_areas", "date"]

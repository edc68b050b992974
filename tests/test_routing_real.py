"""Itineraries on the real graphs: profiles behave, elevation adds up, the basin plans."""
import json
import math

import numpy as np
import pytest

import routing

from graphs.elevation import DEM
from graphs.geo import haversine_m

from .conftest import shared_path

MAJOR = ["site:cite-des-electriciens", "site:lewarde", "site:oignies-9-9bis",
         "site:base-11-19", "site:louvre-lens", "site:wallers-arenberg"]


def _random_points(graph, count, seed):
    rng = np.random.default_rng(seed)
    main = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
    nodes = rng.choice(main, 2 * count, replace=False)
    pts = [(float(graph.node_lat[n]), float(graph.node_lon[n])) for n in nodes]
    return list(zip(pts[::2], pts[1::2]))


def _edges(itinerary):
    return np.array([p[0] for leg in itinerary.pieces for p in leg], np.int64)


@pytest.fixture(scope="module")
def heidelberg_trips(router_for):
    router = router_for("heidelberg")
    pairs = _random_points(router.graph, 25, seed=11)
    trips = {}
    for profile in ("hike", "family", "bike"):
        trips[profile] = []
        for pair in pairs:
            try:
                trips[profile].append(router.route(list(pair), profile))
            except routing.UnreachableError:
                # family excludes main roads, rough tracks and steps: some corners of the
                # Odenwald are then cut off
                assert profile == "family"
    assert len(trips["family"]) >= 0.6 * len(pairs)
    return router, pairs, trips


def test_bike_uses_no_steps(heidelberg_trips):
    router, _, trips = heidelberg_trips
    steps = router.graph.codes_of("highway", ["steps"])
    assert all(not steps[_edges(it)].any() for it in trips["bike"])
    assert sum(it.breakdown["highway"].get("steps", 0) for it in trips["bike"]) == 0
    # walkers do take steps in Heidelberg's old town and vineyards
    assert sum(it.breakdown["highway"].get("steps", 0) for it in trips["hike"]) > 0


def test_family_avoids_difficult_paths(heidelberg_trips):
    router, _, trips = heidelberg_trips
    g = router.graph
    hard = g.codes_of("sac_scale", ["mountain_hiking", "demanding_mountain_hiking",
                                    "alpine_hiking"])
    steps = g.codes_of("highway", ["steps"])
    for it in trips["family"]:
        used = _edges(it)
        assert not hard[used].any() and not steps[used].any()
    # busy roads are allowed to families but costly: a small share of their distance
    busy = sum(it.breakdown["highway"].get(h, 0) for it in trips["family"]
               for h in ("primary", "primary_link", "trunk", "trunk_link"))
    assert busy < 0.02 * sum(it.distance_m for it in trips["family"])


def test_bike_respects_direction(heidelberg_trips):
    router, _, trips = heidelberg_trips
    g = router.graph
    from graphs.tags import BIKE_BWD, BIKE_FWD
    for it in trips["bike"]:
        for leg in it.pieces:
            for edge, a, b in leg:
                needed = BIKE_FWD if b > a else BIKE_BWD
                assert g.edge_flags[edge] & needed


def test_signed_route_preference_raises_share(router_for, heidelberg_trips):
    router, pairs, _ = heidelberg_trips
    shares = {}
    for pref in (0.0, 1.0, 4.0):
        trips = [router.route(list(p), "hike", route_preference=pref) for p in pairs]
        on_routes = sum(it.signed_share * it.distance_m for it in trips)
        shares[pref] = on_routes / sum(it.distance_m for it in trips)
    assert shares[0.0] < shares[1.0] < shares[4.0]
    assert shares[4.0] - shares[0.0] > 0.10


def test_andorra_ascent_matches_dem(router_for):
    router = router_for("andorra")
    it = router.route([(42.5078, 1.5211), (42.5631, 1.6047)], "hike")
    assert it.has_elevation and it.ascent_m > 300
    # an independent measure: resample the geometry every 20 m on the DEM
    dem = DEM(shared_path("dem"))
    seg = haversine_m(it.lat[:-1], it.lon[:-1], it.lat[1:], it.lon[1:])
    cum = np.concatenate([[0], np.cumsum(seg)])
    at = np.arange(0, cum[-1], 20.0)
    ele = dem.elevations(np.interp(at, cum, it.lat), np.interp(at, cum, it.lon))
    rises = np.diff(ele[np.isfinite(ele)])
    reference = rises[rises > 0].sum()
    assert it.ascent_m == pytest.approx(reference, rel=0.10)
    # the walking time includes the climb (Naismith: 6 s per metre up)
    assert it.duration_s > it.distance_m / (4.5 / 3.6) + 5 * it.ascent_m


def test_basin_tour_of_the_major_sites(router_for):
    router = router_for("basin")
    tour = router.tour(MAJOR, "bike", fixed_start=True, fixed_end=True)
    order = [MAJOR[i] for i in tour.meta["order"]]
    assert order[0] == "site:cite-des-electriciens" and order[-1] == "site:wallers-arenberg"
    assert sorted(order) == sorted(MAJOR)
    assert tour.meta["exact"]
    assert 80_000 < tour.distance_m < 200_000
    assert "EV5" in tour.signed_routes
    # the sites are waypoints of the itinerary, in the chosen order
    assert [w["place_id"] for w in tour.waypoints] == order
    # reversed order for comparison: the optimum is not worse than the input order
    given = router.route(MAJOR[:1] + MAJOR[1:-1] + MAJOR[-1:], "bike")
    assert tour.meta["cost"] <= given.meta["cost"] + 1e-6


def test_basin_loop_from_11_19_through_terrils(router_for):
    router = router_for("basin")
    loops = router.loop("site:base-11-19", 20, "hike", favour=["terril"], seed=1)
    assert 1 <= len(loops) <= 3
    best = loops[0]
    assert best.is_closed
    assert 18_000 <= best.distance_m <= 22_000
    assert best.meta["reuse_share"] < 0.10
    terrils = [p for p in best.places if p["kind"] == "terril"]
    assert len(terrils) >= 2
    again = router.loop("site:base-11-19", 20, "hike", favour=["terril"], seed=1)
    assert [round(x.distance_m, 3) for x in again] == [round(x.distance_m, 3) for x in loops]


def test_loop_through_required_places(router_for):
    router = router_for("basin")
    loops = router.loop("site:base-11-19", 20, "hike", via=["site:louvre-lens"], seed=0)
    for loop in loops:
        assert "site:louvre-lens" in [w["place_id"] for w in loop.waypoints]
        assert 18_000 <= loop.distance_m <= 22_000 and loop.meta["reuse_share"] < 0.10
    with pytest.raises(routing.ImpossibleLoopError, match="through the required places"):
        router.loop("site:base-11-19", 5, "hike", via=["site:lewarde"])


def test_stages_end_at_lodging(router_for):
    router = router_for("andorra")
    it = router.route([(42.5078, 1.5211), (42.5631, 1.6047), (42.4635, 1.4904)], "hike")
    multi = router.stages(it, days=3)
    assert len(multi.stages) == 3
    ends = multi.meta["stage_ends"]
    assert all(e["kind"] in ("lodging", "station") for e in ends)
    assert all(e["detour_m"] <= 2000 for e in ends)
    total = sum(s.distance_m for s in multi.stages)
    detours = sum(e["detour_m"] for e in ends)
    assert total == pytest.approx(it.distance_m + detours, rel=0.05)
    assert multi.stages[0].waypoints[-1]["place_id"] == ends[0]["place_id"]
    assert multi.stages[1].waypoints[0]["place_id"] == ends[0]["place_id"]
    by_km = router.stages(router.route([(42.5078, 1.5211), (42.5631, 1.6047)], "hike"),
                          max_km=8)
    assert all(s.distance_m < 8000 + 2500 for s in by_km.stages)


def test_itinerary_geojson_and_summary(router_for):
    router = router_for("andorra")
    it = router.route([(42.5078, 1.5211), (42.5160, 1.5380)], "hike")
    gj = json.loads(json.dumps(it.to_geojson()))
    assert gj["type"] == "FeatureCollection"
    line = gj["features"][0]
    assert line["geometry"]["type"] == "LineString"
    lon, lat, ele = line["geometry"]["coordinates"][0]
    assert (lat, lon) == pytest.approx((it.lat[0], it.lon[0]), abs=1e-6)
    assert 800 < ele < 3000
    summary = it.summary()
    for key in ("distance_m", "duration_s", "ascent_m", "descent_m", "surface", "highway",
                "signed_routes", "places", "warnings"):
        assert key in summary
    assert sum(v["m"] for v in summary["highway"].values()) == pytest.approx(it.distance_m, rel=1e-3)
    # the geometry's length equals the reported distance
    length = haversine_m(it.lat[:-1], it.lon[:-1], it.lat[1:], it.lon[1:]).sum()
    assert length == pytest.approx(it.distance_m, rel=0.01)
    assert math.isclose(it.cum_m[-1], it.distance_m)
    from routing import Itinerary
    again = Itinerary.from_dict(json.loads(json.dumps(it.to_dict())))
    assert again.summary() == summary

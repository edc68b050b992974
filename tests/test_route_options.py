"""Per-request options, avoided areas and closures (tests/fixtures/route_options.osm.xml),
and their exactness against networkx on Heidelberg."""
import datetime as dt
import json

import networkx as nx
import numpy as np
import pytest

import graphs
import routing
from routing.avoid import ClosureLayer, edges_in_areas, parse_polygons
from routing.options import RouteOptions, edge_multiplier
from routing.restrict import plan_route

from .conftest import FIXTURES

A, B = (50.42995, 2.7995), (50.42995, 2.8145)
# P, N, N2 (3 ways), M, S
P, N, N2, M, S = {1}, {2}, {3, 4, 5}, {6}, {7}


@pytest.fixture(scope="module")
def router():
    return routing.Router(graphs.build_graph(FIXTURES / "route_options.osm.xml", name="opt"))


def branch(router, it):
    g = router.graph
    return {int(g.edge_way[p[0]]) for leg in it.pieces for p in leg} - {8, 9}


@pytest.mark.parametrize("profile, params, expected, planner", [
    ("hike", {}, P, "ch"),                                          # shortest, T2 allowed
    ("hike", {"max_sac": 0}, N2, "alt"),                            # T1 only
    ("hike", {"max_sac": "T1", "avoid_steps": "1"}, N, "alt"),      # gravel track left
    ("hike", {"max_sac": "hiking", "avoid_steps": True, "avoid_unpaved": True}, M, "alt"),
    ("bike", {}, M, "ch"),                                          # the shorter cycleway
    ("bike", {"prefer_signed": 2}, S, "alt"),                    # icn over lcn
    ("bike", {"follow_route": "EV 5"}, S, "alt"),                   # ref, spaces ignored
    ("bike", {"follow_route": "eurovelo 5"}, S, "alt"),             # or name
    ("bike", {"prefer_signed": 2, "follow_route": "L1"}, M, "alt"),
])
def test_options_pick_the_expected_branch(router, profile, params, expected, planner):
    it = plan_route(router, [A, B], profile, RouteOptions.from_params(params))
    assert branch(router, it) == expected
    assert it.meta["planner"] == planner


def test_options_never_lower_a_cost(router):
    network = router.network("bike")
    for params in ({"prefer_signed": 5}, {"follow_route": "L1"}, {"avoid_unpaved": 1}):
        factor = edge_multiplier(network, RouteOptions.from_params(params))
        assert (factor >= 1.0).all()


def _square(lat, lon, half=0.0008):
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


def test_avoid_areas(router):
    around_m = _square(50.4330, 2.8070)              # the middle of branch M
    it = plan_route(router, [A, B], "bike",
                    RouteOptions.from_params({"avoid_areas": json.dumps(around_m)}))
    assert branch(router, it) == S
    assert it.meta["options"]["avoid_areas"] == 1
    everything = _square(50.4300, 2.8070, half=0.005)
    with pytest.raises(routing.NoRouteLeftError):
        plan_route(router, [A, B], "bike", RouteOptions.from_params(
            {"avoid_areas": {"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": everything, "properties": {}}]}}))


def test_avoided_area_at_the_start_snaps_outside(router):
    start_box = _square(A[0], A[1] + 0.0005, half=0.0003)   # covers the start street's end
    it = plan_route(router, [(A[0], A[1] + 0.0005), B], "bike",
                    RouteOptions(avoid_areas=parse_polygons(start_box)))
    assert it.waypoints[0]["snap_m"] > 10


def test_edges_in_areas_catches_a_long_edge_without_vertex_inside(router):
    g = router.graph
    thin = _square(50.4301, 2.8035, half=0.00005)   # across P, between its vertices
    mask = edges_in_areas(g, parse_polygons(thin))
    assert set(g.edge_way[mask].tolist()) == {1}


@pytest.mark.parametrize("value, field", [
    ("not json", "avoid_areas"), ({"type": "Point", "coordinates": [2.8, 50.4]}, "avoid_areas"),
    ({"type": "Polygon", "coordinates": [[[200, 50], [201, 50], [201, 51], [200, 50]]]},
     "avoid_areas")])
def test_bad_avoid_areas(value, field):
    with pytest.raises(routing.InvalidQueryError, match=field):
        RouteOptions.from_params({"avoid_areas": value})


@pytest.mark.parametrize("params, name", [
    ({"prefer_signed": "nan"}, "prefer_signed"), ({"prefer_signed": 9}, "prefer_signed"),
    ({"max_sac": "T9"}, "max_sac"), ({"max_mtb": -1}, "max_mtb"),
    ({"avoid_steps": "maybe"}, "avoid_steps"), ({"follow_route": "x" * 100}, "follow_route")])
def test_bad_options_name_the_field(params, name):
    with pytest.raises(routing.InvalidQueryError, match=name):
        RouteOptions.from_params(params)


def test_unknown_followed_route(router):
    with pytest.raises(routing.InvalidQueryError, match="follow_route"):
        plan_route(router, [A, B], "bike", RouteOptions(follow_route="GR 5"))


def test_closures_with_dates(router, tmp_path):
    layer = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _square(50.4330, 2.8070),
         "properties": {"reason": "travaux", "from": "2026-03-01", "to": "2026-07-31"}},
        {"type": "Feature", "geometry": _square(50.4268, 2.8070),
         "properties": {"reason": "nidification", "profiles": ["hike"]}}]}
    path = tmp_path / "closures.geojson"
    path.write_text(json.dumps(layer))
    closures = ClosureLayer.from_geojson(path)
    assert len(closures.active("bike", dt.date(2026, 5, 1))) == 1
    assert len(closures.active("bike", dt.date(2026, 8, 1))) == 0
    assert len(closures.active("hike", dt.date(2026, 8, 1))) == 1
    it = plan_route(router, [A, B], "bike", closed_areas=closures.active("bike", dt.date(2026, 5, 1)))
    assert branch(router, it) == S and it.meta["closures_avoided"] == 1
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _square(50.43, 2.807), "properties": {"from": "May"}}]}))
    with pytest.raises(routing.InvalidQueryError, match="from"):
        ClosureLayer.from_geojson(path)


def _networkx_cost(network, factor, a, b):
    """Cost of the best path between two endpoints by networkx on the re-weighted arcs."""
    costs = network.costs * factor[network.arc_edge]
    keep = np.isfinite(costs)
    graph = nx.DiGraph()
    for u, v, w in zip(network.tails[keep].tolist(), network.heads[keep].tolist(),
                       costs[keep].tolist()):
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > w:
            graph.add_edge(u, v, weight=w)
    for node, cost in zip(*network.exits(a, factor)):
        graph.add_edge("s", int(node), weight=float(cost))
    for node, cost in zip(*network.entries(b, factor)):
        graph.add_edge(int(node), "t", weight=float(cost))
    return nx.dijkstra_path_length(graph, "s", "t")


@pytest.mark.slow
def test_custom_weights_are_exact_against_networkx(router_for):
    router = router_for("heidelberg")
    g = router.graph
    rng = np.random.default_rng(5)
    main = np.flatnonzero(g.node_comp == np.argmax(g.comp_length_m))
    network = router.network("bike")
    mismatches, compared = 0, 0
    for params in ({"prefer_signed": 2.0, "avoid_unpaved": True},
                   {"follow_route": g.routes[next(i for i, r in enumerate(g.routes)
                                                  if r["route"] == "bicycle" and r.get("ref"))]["ref"],
                    "avoid_steps": True, "max_mtb": 1}):
        factor = edge_multiplier(network, RouteOptions.from_params(params))
        for _ in range(6):
            s, t = rng.choice(main, 2, replace=False)
            a = router.endpoint((float(g.node_lat[s]), float(g.node_lon[s])), network)
            b = router.endpoint((float(g.node_lat[t]), float(g.node_lon[t])), network)
            if a.edge == b.edge or not (np.isfinite(factor[a.edge]) and np.isfinite(factor[b.edge])):
                continue
            try:
                ours = network.path(a, b, penalty=factor).cost
            except routing.UnreachableError:
                ours = np.inf
            try:
                theirs = _networkx_cost(network, factor, a, b)
            except nx.NetworkXNoPath:
                theirs = np.inf
            compared += 1
            mismatches += not (ours == theirs or abs(ours - theirs) <= 1e-6 * max(theirs, 1))
    assert compared >= 8
    assert mismatches == 0

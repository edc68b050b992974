"""The engine's optimal costs equal networkx's on the same weights; snapping; errors."""
import networkx as nx
import numpy as np
import pytest

import routing
from routing.bench import networkx_graph
from routing.network import ProfileNetwork
from routing.profiles import get_profile


def _pairs(graph, network, count, seed):
    rng = np.random.default_rng(seed)
    nodes = np.flatnonzero(np.diff(network.indptr) > 0)
    return [tuple(int(x) for x in rng.choice(nodes, 2, replace=False)) for _ in range(count)]


@pytest.mark.parametrize("profile", ["hike", "bike"])
def test_hierarchy_and_alt_match_networkx(built, profile):
    graph, _ = built("heidelberg")
    network = ProfileNetwork(graph, get_profile(profile))
    nxg = networkx_graph(network)
    for s, t in _pairs(graph, network, 60, seed=7):
        try:
            ref = nx.bidirectional_dijkstra(nxg, s, t, weight="weight")[0]
        except nx.NetworkXNoPath:
            ref = None
        ch_cost, ch_arcs = network.node_query(s, t)
        alt_cost, j, alt_arcs = network._search(np.array([s]), np.zeros(1), np.array([t]),
                                                np.zeros(1), costs=network.costs)
        if ref is None:
            assert ch_cost > 1e29 and alt_cost > 1e29
            continue
        assert ch_cost == pytest.approx(ref, rel=1e-9)
        assert alt_cost == pytest.approx(ref, rel=1e-9)
        for arcs in (ch_arcs, alt_arcs):
            if s != t:
                assert network.tails[arcs[0]] == s and network.heads[arcs[-1]] == t
                assert np.all(network.heads[arcs[:-1]] == network.tails[arcs[1:]])
                assert network.costs[arcs].sum() == pytest.approx(ref, rel=1e-9)


def test_bicycle_direction_is_respected(fixture_router):
    # way 102 (node 2 -> 3) is oneway for bicycles; around it, 101 is a footway and 105
    # steps, so a cyclist cannot go from 3 back to 2 at all.
    # (points do not even snap there for bikes: a one-way dead end is not offered)
    from routing.network import Endpoint
    g = fixture_router.graph
    edge = int(np.flatnonzero(g.edge_way == 102)[0])
    near_2 = Endpoint(edge, 14.2, 50.43, 2.8012, 0.0, (50.43, 2.8012))
    near_3 = Endpoint(edge, 56.8, 50.43, 2.8018, 0.0, (50.43, 2.8018))
    bike, hike = fixture_router.network("bike"), fixture_router.network("hike")
    assert bike.path(near_2, near_3).pieces == [(edge, 14.2, 56.8)]
    assert hike.path(near_3, near_2).pieces == [(edge, 56.8, 14.2)]
    with pytest.raises(routing.UnreachableError):
        bike.path(near_3, near_2)
    assert not bike.snappable[edge] and hike.snappable[edge]
    # contraflow allowed on 103 (oneway:bicycle=no) and 104 (cycleway=opposite_lane)
    back = fixture_router.route([(50.4310, 2.8015), (50.4305, 2.8020)], "bike")
    assert back.distance_m == pytest.approx(35.5 + 55.6, abs=1)


def test_snaps_onto_edges_not_nodes(fixture_router):
    network = fixture_router.network("hike")
    ep = fixture_router.endpoint((50.43005, 2.8005), network)   # 5.6 m north of way 101
    assert ep.snap_m == pytest.approx(5.56, abs=0.1)
    assert ep.offset_m == pytest.approx(35.5, abs=0.5)          # half-way along the edge


def test_typed_errors(fixture_router):
    with pytest.raises(routing.UnknownProfileError, match="unknown profile 'skate'"):
        fixture_router.route([(50.43, 2.8005), (50.433, 2.8015)], "skate")
    with pytest.raises(routing.PointOffNetworkError, match="more than 1000 m"):
        fixture_router.route([(50.43, 2.8005), (50.5, 2.9)], "hike")
    with pytest.raises(routing.UnreachableError, match="do not connect"):
        fixture_router.route([(50.43, 2.8005), (50.4325, 2.8020)], "hike")
    with pytest.raises(routing.InvalidQueryError, match="unknown place id"):
        fixture_router.route(["site:nowhere", (50.43, 2.8005)], "hike")
    # points are snapped all at once, but the error told is the first in point order
    with pytest.raises(routing.PointOffNetworkError, match="50.50000,2.90000"):
        fixture_router.route([(50.43, 2.8005), (50.5, 2.9), "site:nowhere"], "hike")
    with pytest.raises(routing.PointOffNetworkError, match="50.50000,2.90000"):
        fixture_router.route([(50.5, 2.9), (50.6, 2.9)], "hike")
    with pytest.raises(routing.InvalidQueryError, match="bad point"):
        fixture_router.route([(50.43, 2.8005), ("x", 2.9), (50.5, 2.9)], "hike")
    with pytest.raises(routing.InvalidQueryError):
        routing.parse_points("50.4,2.8;91,2")
    with pytest.raises(routing.TooManyStopsError, match="at most 25"):
        fixture_router.tour([(50.43, 2.8005 + i * 1e-5) for i in range(26)], "hike")
    with pytest.raises(routing.ImpossibleLoopError, match="no hike loop of 300 km"):
        fixture_router.loop((50.43, 2.8005), 300, "hike")
    with pytest.raises(routing.InvalidQueryError, match="days"):
        fixture_router.stages(fixture_router.route([(50.43, 2.8005), (50.431, 2.8015)]), days=0)


def _is_mapped(array) -> bool:
    """Whether an array's memory is a memory-mapped file (through any chain of views)."""
    while array is not None and not isinstance(array, np.memmap):
        array = array.base
    return array is not None


def test_hierarchy_is_cached_beside_the_graph(built):
    import graphs

    _, graph_dir = built("krems")
    first = ProfileNetwork(graphs.load_graph(graph_dir), get_profile("bike"))
    built_ch = first.hierarchy
    cached = list((graph_dir / "cache").glob("ch-bike-*"))
    assert len(cached) == 1 and (cached[0] / "packed.npy").is_file()
    second = ProfileNetwork(graphs.load_graph(graph_dir), get_profile("bike"))
    loaded = second.hierarchy
    assert np.array_equal(loaded.rank, built_ch.rank) and loaded.shortcuts == built_ch.shortcuts
    assert _is_mapped(loaded.e_arc) and not loaded.e_arc.flags.writeable   # a packed view
    assert _is_mapped(loaded.up[1]) and not loaded.up[1].flags.writeable
    assert isinstance(second.lm_from.base, np.memmap)        # the network's arrays are mapped too
    for s, t in _pairs(second.graph, second, 20, seed=3):
        assert second.node_query(s, t)[0] == pytest.approx(first.node_query(s, t)[0], rel=1e-12)
    # other weights, another file: a stale hierarchy is never used
    ProfileNetwork(graphs.load_graph(graph_dir), get_profile("mtb")).hierarchy
    assert len(list((graph_dir / "cache").glob("ch-*"))) == 2


@pytest.mark.parametrize("preference", [0.0, 2.5, 10.0])
def test_preference_networks_borrow_scaled_landmarks_and_stay_exact(built, monkeypatch,
                                                                    preference):
    """A request's signed-route preference runs no landmark Dijkstra over the graph (the
    default network's landmarks, scaled, are lower bounds) and its paths stay optimal."""
    graph, _ = built("heidelberg")
    service = routing.RoutingService(graph, profiles=("hike",))
    monkeypatch.setattr(ProfileNetwork, "_landmarks", lambda self, k: pytest.fail(
        "a preference network computed landmarks of its own"))
    network = service.network("hike", route_preference=preference)
    base = service.network("hike")
    assert network.lm_from.shape == base.lm_from.shape
    assert np.all(network.lm_from <= base.lm_from)
    nxg = networkx_graph(network)
    checked = 0
    for s, t in _pairs(graph, network, 40, seed=11):
        try:
            ref = nx.bidirectional_dijkstra(nxg, s, t, weight="weight")[0]
        except nx.NetworkXNoPath:
            continue
        cost, _ = network.node_query(s, t)
        assert cost == pytest.approx(ref, rel=1e-9)
        checked += 1
    assert checked >= 30

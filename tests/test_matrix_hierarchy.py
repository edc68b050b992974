"""The matrix through the contraction hierarchy (bucket kernels) against the repeated
one-to-many Dijkstra and networkx: same costs, durations and metres, 0 mismatches.

.ci/run runs this file once more with ``NUMBA_BOUNDSCHECK=1``.
"""
import networkx as nx
import numpy as np
import pytest

from routing.buckets import edge_sums
from routing.engine import INF
from routing.matrix import hierarchy_table, one_to_many_table, table
from routing.network import Endpoint


def mismatches(ours, reference) -> int:
    """Pairs whose cost, duration or metres differ (or reachability does)."""
    bad = 0
    for a, b in zip(ours, reference):
        reach_a, reach_b = np.isfinite(a) & (a < INF / 2), np.isfinite(b) & (b < INF / 2)
        bad_pairs = reach_a != reach_b
        both = reach_a & reach_b
        bad_pairs[both] |= np.abs(a[both] - b[both]) > 1e-6 * np.maximum(np.abs(b[both]), 1.0)
        bad += int(bad_pairs.sum())
    return bad


def fixture_endpoints(router, network):
    g = router.graph
    return [Endpoint(int(e), float(off), 0.0, 0.0, 0.0, (0.0, 0.0))
            for e in np.flatnonzero(network.usable)
            for off in (0.0, g.edge_len[e] / 2, g.edge_len[e])]


@pytest.mark.parametrize("profile", ["hike", "bike"])
def test_buckets_equal_one_to_many_on_every_fixture_pair(fixture_router, profile):
    network = fixture_router.network(profile)
    eps = fixture_endpoints(fixture_router, network)
    ours, reference = hierarchy_table(network, eps, eps), one_to_many_table(network, eps, eps)
    assert ours[0].shape == (len(eps), len(eps))
    assert mismatches(ours, reference) == 0
    assert (ours[0] >= INF / 2).any() and (ours[0] < INF / 2).any()   # a disconnected part


def test_degenerate_tables(fixture_router):
    network = fixture_router.network("hike")
    eps = fixture_endpoints(fixture_router, network)
    one = hierarchy_table(network, eps[:1], eps)
    assert one[0].shape == (1, len(eps)) and one[0][0, 0] == 0.0
    same = hierarchy_table(network, [eps[3]] * 3, [eps[3]] * 2)
    assert same[0].tolist() == [[0.0, 0.0]] * 3 and same[2].tolist() == [[0.0, 0.0]] * 3


def test_edge_sums_walk_shortcuts():
    # arcs 0, 1, 2; shortcut 3 = 0 + 1; shortcut 4 = 3 + 2; edge 1 rewritten as a shortcut
    # of higher-numbered children would still resolve (order-free)
    e_arc = np.array([0, 1, 2, -1, -1], np.int64)
    c1 = np.array([-1, -1, -1, 0, 3], np.int64)
    c2 = np.array([-1, -1, -1, 1, 2], np.int64)
    assert edge_sums(e_arc, c1, c2, np.array([1.0, 10.0, 100.0])).tolist() == \
        [1.0, 10.0, 100.0, 11.0, 111.0]
    c1[0], c2[0] = 3, 2            # a child above its parent: still summed, never out of bounds
    c1[3], c2[3] = 1, 2
    assert edge_sums(e_arc, c1, c2, np.array([1.0, 10.0, 100.0])).tolist()[:4] == \
        [210.0, 10.0, 100.0, 110.0]


def test_table_says_which_planner_ran(fixture_router):
    points = [(50.43, 2.8005), (50.4305, 2.8020)]
    plain = table(fixture_router, points, points, "hike")
    assert plain["meta"] == {"fallback": None, "planner": "ch-buckets"}
    assert table(fixture_router, points, points, "hike", planner="one-to-many")["durations"] == \
        plain["durations"]


def _networkx_costs(network, a, targets) -> list:
    graph = nx.DiGraph()
    for u, v, w in zip(network.tails.tolist(), network.heads.tolist(), network.costs.tolist()):
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > w:
            graph.add_edge(u, v, weight=w)
    for node, cost in zip(*network.exits(a)):
        graph.add_edge("s", int(node), weight=float(cost))
    out = []
    lengths = nx.single_source_dijkstra_path_length(graph, "s")
    for b in targets:
        best = min((lengths.get(int(n), np.inf) + c for n, c in zip(*network.entries(b))),
                   default=np.inf)
        out.append(best)
    return out


def _random_endpoints(router, network, n, seed):
    g = router.graph
    rng = np.random.default_rng(seed)
    main = np.flatnonzero(g.node_comp == np.argmax(g.comp_length_m))
    return router.endpoints([(float(g.node_lat[i]), float(g.node_lon[i]))
                             for i in rng.choice(main, n, replace=False)], network, limit=n)


def test_basin_buckets_against_one_to_many_and_networkx(router_for):
    router = router_for("basin")
    network = router.network("bike")
    eps = _random_endpoints(router, network, 40, 3)
    ours = hierarchy_table(network, eps, eps)
    assert mismatches(ours, one_to_many_table(network, eps, eps)) == 0
    sample = eps[:4]
    theirs = np.array([_networkx_costs(network, a, eps) for a in sample])
    theirs = np.where(np.isfinite(theirs), theirs, INF)
    assert mismatches([ours[0][:4]], [theirs]) == 0


@pytest.mark.slow
def test_heidelberg_100_by_100_matches_one_to_many(router_for):
    router = router_for("heidelberg")
    network = router.network("bike")
    eps = _random_endpoints(router, network, 100, 7)
    assert mismatches(hierarchy_table(network, eps, eps), one_to_many_table(network, eps, eps)) == 0

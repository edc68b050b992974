"""Places' listed nearest nodes (routing.reach): Dijkstra orders, and the detours read from
them are the searches' (.ci/run runs this file once more with ``NUMBA_BOUNDSCHECK=1``)."""
import networkx as nx
import numpy as np
import pytest

from routing import engine
from routing.detours import DROPPED, MEASURED, ON_ROUTE
from routing.pieces import pieces_table
from routing.reach import ARRAYS, FOUND, MAX_ENTRIES, MAX_PLACE_SEARCHES, OVER, SEARCH, PlaceReach, build_reach, scan_reach
from routing.search import SearchBuffers
from tests.test_detours import length_digraph, random_routes, run_route_detours


@pytest.fixture(scope="module")
def hike(router_for):
    router = router_for("heidelberg")
    network = router.network("hike", metric="length")
    ends, reach = router.places.ends(network, router.place_endpoint)
    return router, network, ends, reach


def test_lists_are_the_nearest_nodes_in_order(hike):
    """Each place's lists hold its nearest nodes by the network (to it, from it), in order
    of distance, with networkx's distances; every node not listed is at least ``bound``."""
    router, network, ends, reach = hike
    graph = length_digraph(network)
    places = np.flatnonzero(ends.ok)[:: max(1, int(ends.ok.sum()) // 12)]
    for p in places.tolist():
        for side, g, nodes, costs in (("in", graph.reverse(copy=False), ends.entry_node,
                                       ends.entry_cost),
                                      ("out", graph, ends.exit_node, ends.exit_cost)):
            ptr, rows = getattr(reach, f"{side}_ptr"), getattr(reach, f"{side}_list")
            bound = getattr(reach, f"{side}_bound")
            block = rows[2 * ptr[p]:2 * ptr[p + 1]]        # its nodes, then their metres
            listed, d = block[:len(block) // 2].astype(np.int64), block[len(block) // 2:]
            assert 0 < len(listed) <= MAX_ENTRIES and len(set(listed.tolist())) == len(listed)
            assert (np.diff(d) >= 0).all() and d[-1] <= bound[p]
            # networkx from the place: a super-source joined to its seeds at their costs
            g2 = g.copy()
            for t, c in zip(nodes[p].tolist(), costs[p].tolist()):
                if t >= 0:
                    g2.add_edge("place", t, weight=c)
            want = nx.single_source_dijkstra_path_length(g2, "place")
            got = dict(zip(listed.tolist(), d.tolist()))
            for v, value in got.items():
                assert value == pytest.approx(want[v], abs=1e-6)
            for v, value in want.items():
                if v != "place" and v not in got:
                    assert value >= bound[p] - 1e-6


def test_detours_read_equal_the_searches(hike):
    """Every place a candidate, on routes and bounds of all sorts: read from the lists (and
    searched where they leave it open), the detours are the searches' alone."""
    router, network, ends, reach = hike
    small = PlaceReach(network, ends, max_entries=8)       # most candidates left open
    candidates = np.flatnonzero(ends.ok)
    walk = 2.0 * ends.snap_m[candidates]
    counted = {MEASURED: 0, DROPPED: 0, ON_ROUTE: 0}
    for it, bound in zip(random_routes(router, "hike", 8, seed=3), (3000.0, 500.0, 6000.0, 1200.0) * 2):
        table = pieces_table(it.pieces)
        passed, want = run_route_detours(network, ends, table, candidates, walk, bound)
        # The real lists; short ones (most open: the searches from the route); short ones
        # and a few candidates at a time (searched one by one, MAX_PLACE_SEARCHES).
        runs = [(reach, slice(None)), (small, slice(None))] + \
            [(small, slice(i, i + MAX_PLACE_SEARCHES)) for i in range(0, len(candidates), 37)]
        for lists, part in runs:
            got_passed, got = run_route_detours(network, ends, table, candidates[part],
                                                walk[part], bound, lists)
            assert got_passed == passed > 0
            assert (got[0] == want[0][part]).all()
            measured = want[0][part] == MEASURED
            for k in (1, 2):                        # there, back: the same distances
                assert np.allclose(got[k][measured], want[k][part][measured], rtol=0,
                                   atol=1e-6)
            assert np.array_equal(got[3][measured], want[3][part][measured], equal_nan=True)
        for status in counted:
            counted[status] += int((want[0] == status).sum())
    assert counted[MEASURED] >= 100 and counted[DROPPED] >= 100 and counted[ON_ROUTE] >= 3, \
        counted


def test_scan_decides_by_lists_and_bounds(hike):
    """FOUND when both lists hold a route node within the detour bound, OVER when the
    lists' values or bounds already exceed it, SEARCH otherwise (a place farther from the
    route than its lists reach)."""
    router, network, ends, reach = hike
    it = random_routes(router, "hike", 1, seed=11)[0]
    from routing.pieces import route_nodes

    nodes, at = route_nodes(router.graph, it.pieces)
    candidates = np.flatnonzero(ends.ok)
    m = len(candidates)
    out = np.empty(m, np.int8), np.empty(m), np.empty(m), np.empty(m)
    for bound in (0.0, 400.0, 1e9):
        assert scan_reach(nodes, at, candidates, np.zeros(m), bound,
                          *(getattr(reach, name) for name in ARRAYS),
                          router.graph.n_nodes, *out) == 0
        state, there, back, _ = out
        found = state == FOUND
        assert set(np.unique(state).tolist()) <= {FOUND, OVER, *range(SEARCH + 1, SEARCH + 4)}
        assert (there[state == OVER] + back[state == OVER] > bound).all()
        assert (there[found] + back[found] <= bound).all()
        if bound == 1e9:              # over only if no route node can be reached at all
            assert found.any() and (state > SEARCH).any()
            assert (there[state == OVER] + back[state == OVER] >= engine.INF).all()
        if bound == 0.0:
            assert (state[~found] == OVER).all()


def test_kernels_refuse_inconsistent_input(hike):
    router, network, ends, reach = hike
    n = router.graph.n_nodes
    b = SearchBuffers(n, len(network.heads))
    m = 3
    ok = np.ones(m, bool)
    seeds, costs = ends.exit_node[:m].copy(), ends.exit_cost[:m].copy()
    args = (b.dist, b.pred, b.mark, b.touched, b.heap_key, b.heap_node)
    out = np.zeros(m + 1, np.int64), np.empty((4 * m, 2)), np.empty(m)
    csr = (network.indptr, network.heads, network.costs, np.zeros(0, np.int64))
    assert build_reach(*csr, seeds, costs, ok, 4, 1e9, *args, *out) == 4 * m
    assert (out[1][:, 0] >= 0).all() and (np.diff(out[1][:4, 1]) >= 0).all()
    bad = seeds.copy()
    bad[0, 0] = n
    assert build_reach(*csr, bad, costs, ok, 4, 1e9, *args, *out) == -1
    assert build_reach(*csr, seeds, costs, ok, 5, 1e9, *args, *out) == -1   # no room
    assert build_reach(*csr, seeds, costs[:2], ok, 4, 1e9, *args, *out) == -1
    small = SearchBuffers(n - 1, len(network.heads))
    assert build_reach(*csr, seeds, costs, ok, 4, 1e9, small.dist, small.pred, small.mark,
                       small.touched, small.heap_key, small.heap_node, *out) == -1
    for buffers in (b, small):                  # handed back (or left) initial
        assert (buffers.dist == engine.INF).all() and not buffers.mark.any()
    lists = [getattr(reach, name) for name in ARRAYS]
    res = np.empty(1, np.int8), np.empty(1), np.empty(1), np.empty(1)
    nodes, at = np.array([0, 1], np.int64), np.zeros(2)
    places = len(ends.ok)
    assert scan_reach(nodes, at, np.array([places], np.int64), np.zeros(1), 1.0, *lists, n,
                      *res) == -1
    assert scan_reach(np.array([n], np.int64), at, np.array([0], np.int64), np.zeros(1), 1.0,
                      *lists, n, *res) == -1
    assert scan_reach(nodes, at[:1], np.array([0], np.int64), np.zeros(1), 1.0, *lists, n,
                      *res) == -1


def test_route_table_gives_each_nodes_first_pass():
    """The scans' table of route nodes: each node's first pass, repeats and colliding
    slots included, and no entry for nodes the route does not pass."""
    from routing.reach import _nearest_listed, _route_table, list_blocks

    rng = np.random.default_rng(3)
    for size in (0, 1, 7, 300, 2000):
        sources = rng.integers(0, 10 ** 6, size).astype(np.int64)
        if size > 1:
            sources[size // 2:] = rng.choice(sources[:size // 2], size - size // 2)  # repeats
        keys, passes = _route_table(sources)
        assert len(keys) >= max(16, 4 * size) and len(keys) & (len(keys) - 1) == 0
        first = {}
        for i, v in enumerate(sources.tolist()):
            first.setdefault(v, i)
        stored = {int(k): int(i) for k, i in zip(keys, passes) if k >= 0}
        assert stored == first
        # lookups through a place's list: the first listed node the route passes
        absent = np.setdiff1d(rng.integers(0, 10 ** 6, 50), sources)[:20]
        listed = np.concatenate([absent, sources[::-1][:5]]).astype(float)
        rows = np.column_stack([listed, np.arange(len(listed), dtype=float)])
        # a second place's list before this one's: blocks start where their ptr says
        ptr, bound = np.array([0, 3, 3 + len(rows)], np.int64), np.array([7.0, 99.0])
        blocks = list_blocks(ptr, np.concatenate([np.full((3, 2), -5.0), rows]))
        value, at = _nearest_listed(ptr, blocks, bound, 1, keys, passes, 10 ** 6)
        if size:
            assert (value, at) == (float(len(absent)), first[int(listed[len(absent)])])
        else:
            assert (value, at) == (99.0, -1)
        # a list whose block would run past the array is read as holding nothing
        assert _nearest_listed(np.array([0, 3, 3 + len(rows) + 1]), blocks, bound, 1, keys,
                               passes, 10 ** 6) == (99.0, -1)

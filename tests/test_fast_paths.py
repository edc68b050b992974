"""The fast per-route kernels give the same answers, bit for bit, as the code they replace.

.ci/run runs this file once more with ``NUMBA_BOUNDSCHECK=1``.
"""
import numpy as np
import pytest

from routing import engine
from routing.search import SearchBuffers, bounded_dijkstra


def _reference(network, sources, targets, bound, reverse=False):
    n = len(network.indptr) - 1
    dist, pred = np.full(n, engine.INF), np.full(n, -1, np.int64)
    if reverse:
        engine.dijkstra(network.rindptr, network.rtails, network.costs[network.rarcs], sources,
                        np.zeros(len(sources)), targets, bound, dist, pred)
    else:
        engine.dijkstra(network.indptr, network.heads, network.costs, sources,
                        np.zeros(len(sources)), targets, bound, dist, pred)
    return dist, pred


@pytest.mark.parametrize("reverse", [False, True])
def test_bounded_dijkstra_matches_the_allocating_kernel(fixture_router, reverse):
    network = fixture_router.network("bike", metric="length")
    n = len(network.indptr) - 1
    buffers = SearchBuffers(n, len(network.heads))
    rng = np.random.default_rng(3)
    fresh = (buffers.dist.copy(), buffers.pred.copy(), buffers.mark.copy())
    cases = 0
    for trial in range(60):
        sources = rng.choice(n, size=rng.integers(1, 4), replace=False).astype(np.int64)
        targets = rng.choice(n, size=rng.integers(0, 4)).astype(np.int64)   # duplicates too
        bound = [engine.INF, 0.0, 150.0][trial % 3]
        args = (network.rindptr, network.rtails, network.costs, sources, np.zeros(len(sources)),
                targets, bound, network.rarcs) if reverse else \
            (network.indptr, network.heads, network.costs, sources, np.zeros(len(sources)),
             targets, bound)
        count = buffers.run(*args)
        dist, pred = _reference(network, sources, targets, bound, reverse)
        settled_ref = dist < engine.INF
        # Same distances and predecessors on every node, bit for bit.
        assert np.array_equal(buffers.dist, dist) and np.array_equal(buffers.pred, pred)
        assert count >= settled_ref.sum()
        buffers.reset(count)
        for array, initial in zip((buffers.dist, buffers.pred, buffers.mark), fresh):
            assert np.array_equal(array, initial)        # back in the initial state
        cases += int(settled_ref.sum() > len(sources))
    assert cases > 10                  # most searches went somewhere


def test_bounded_dijkstra_refuses_small_buffers(fixture_router):
    network = fixture_router.network("hike", metric="length")
    n = len(network.indptr) - 1
    small = SearchBuffers(n - 1, len(network.heads))
    src = np.zeros(1, np.int64)
    assert bounded_dijkstra(network.indptr, network.heads, network.costs, np.zeros(0, np.int64),
                            src, np.zeros(1), src, engine.INF, small.dist, small.pred,
                            small.mark, small.touched, small.heap_key, small.heap_node) == -1
    with pytest.raises(ValueError):
        small.run(network.indptr, network.heads, network.costs, src, np.zeros(1), src, 1.0)
    many = np.arange(n, dtype=np.int64)           # more seeds than the heap holds: it grows
    buffers = SearchBuffers(n, 0)
    count = buffers.run(network.indptr, network.heads, network.costs, many, np.zeros(n),
                        np.zeros(0, np.int64), engine.INF)
    assert count == n and np.all(buffers.dist == 0.0)
    buffers.reset(count)
    assert np.all(buffers.dist == engine.INF)


def _random_line(rng, vertices):
    steps = rng.normal(0, 40, (vertices, 2))
    steps[rng.random(vertices) < 0.05] = 0.0                      # repeated vertices too
    return np.cumsum(steps, axis=0) + rng.uniform(-1e5, 1e5, 2)   # far from the origin


def test_points_near_line_is_geos_to_the_bit():
    import shapely

    from routing.near_line import PointCells, line_length

    rng = np.random.default_rng(11)
    checked = 0
    for trial in range(60):
        xy = _random_line(rng, int(rng.integers(2, 400)))
        if trial % 3 == 0:               # out and back: segments at exactly equal distances
            xy = np.concatenate([xy, xy[-2::-1]])
        lo, hi = xy.min(axis=0) - 500, xy.max(axis=0) + 500
        pts = rng.uniform(lo, hi, (300, 2))
        pts[:5] = xy[rng.integers(0, len(xy), 5)]                 # points on vertices
        cells = PointCells(pts[:, 0], pts[:, 1], float(rng.choice([50.0, 300.0, 1000.0])))
        radius = float(rng.choice([0.0, 30.0, 300.0]))
        index, dist, measure = cells.near(xy[:, 0].copy(), xy[:, 1].copy(), radius)
        line = shapely.LineString(xy)
        geoms = shapely.points(pts)
        expected = np.flatnonzero(shapely.dwithin(line, geoms, radius))
        assert sorted(index.tolist()) == expected.tolist()
        assert line_length(xy[:, 0].copy(), xy[:, 1].copy()) == line.length
        if len(index):
            ref_dist = shapely.distance(line, geoms[index])
            ref_at = shapely.line_locate_point(line, shapely.get_point(
                shapely.shortest_line(line, geoms[index]), 0))
            assert np.array_equal(dist, ref_dist) and np.array_equal(measure, ref_at)
            checked += len(index)
    assert checked > 500


def test_places_near_route_is_the_projection_search_and_scale_it_fuses():
    from graphs.geo import LocalProjection
    from routing.near_line import PointCells, line_length, places_near_route

    rng = np.random.default_rng(12)
    proj = LocalProjection(50.4)
    found = 0
    for trial in range(40):
        lat = 50.4 + np.cumsum(rng.normal(0, 3e-4, int(rng.integers(2, 400))))
        lon = 2.8 + np.cumsum(rng.normal(0, 4e-4, len(lat)))
        if trial % 4 == 0:
            lat[1:] = lat[0]                        # a line of no length: scale 1
            lon[1:] = lon[0]
        total_m = float(rng.uniform(0, 2e4))
        px, py = proj.forward(rng.uniform(lat.min() - .01, lat.max() + .01, 200),
                              rng.uniform(lon.min() - .01, lon.max() + .01, 200))
        cells = PointCells(px, py, 300.0)
        point_index = np.sort(rng.choice(1000, 200, replace=False)).astype(np.int64)
        radius = float(rng.choice([0.0, 50.0, 300.0]))
        hits, dist, kms, xs, ys, scale = places_near_route(
            lat, lon, proj.kx, proj.ky, cells.x, cells.y, cells.start, cells.items, cells.grid,
            radius, point_index, total_m)
        x, y = proj.forward(lat, lon)                   # the numpy operations it stands for
        index, ref_dist, at = cells.near(np.ascontiguousarray(x), np.ascontiguousarray(y), radius)
        length = line_length(x, y)
        ref_scale = total_m / length if length > 0 else 1.0
        assert np.array_equal(xs, x) and np.array_equal(ys, y) and scale == ref_scale
        assert np.array_equal(hits, point_index[index]) and np.array_equal(dist, ref_dist)
        assert np.array_equal(kms, at * ref_scale / 1000.0)
        found += len(hits)
    assert found > 100


@pytest.mark.parametrize("mask_name", [None, "snappable", "usable"])
def test_compiled_snapping_snaps_where_edge_index_did(fixture_graph, mask_name):
    from graphs.spatial import EdgeIndex
    from routing import Router
    from routing.snap import SnapIndex

    g = fixture_graph
    network = Router(g, profiles=("bike",)).network("bike")
    mask = None if mask_name is None else getattr(network, mask_name)
    old, new = EdgeIndex(g), SnapIndex(g)
    rng = np.random.default_rng(5)
    lat0, lat1 = float(g.node_lat.min()), float(g.node_lat.max())
    lon0, lon1 = float(g.node_lon.min()), float(g.node_lon.max())
    found = 0
    points = list(zip(rng.uniform(lat0 - 0.01, lat1 + 0.01, 400),
                      rng.uniform(lon0 - 0.01, lon1 + 0.01, 400)))
    points += list(zip(g.shape_lat[:50].tolist(), g.shape_lon[:50].tolist()))   # on vertices
    points += [(lat0 - 5.0, lon0 - 5.0), (lat1 + 5.0, lon1 + 5.0)]                 # far away
    for lat, lon in points:
        for bound in (0.0, 30.0, 1000.0):
            a = old.nearest(lat, lon, bound, mask)
            b = new.nearest(lat, lon, bound, mask)
            assert a == b
            found += a is not None
    assert found > 200
    for bound in (0.0, 30.0, 1000.0):                 # all points in one call: the same snaps
        many = new.nearest_many(points, bound, mask)
        assert many == [old.nearest(lat, lon, bound, mask) for lat, lon in points]
        assert all(type(s.edge) is int and type(s.segment) is int for s in many if s)
    assert new.nearest_many([], 30.0, mask) == []


def _network(request, name):
    if name == "fixture":
        return request.getfixturevalue("fixture_router").network("bike"), None
    import graphs
    from routing.network import ProfileNetwork
    from routing.profiles import get_profile

    graph = graphs.load_graph(request.getfixturevalue("built")(name)[1])
    return ProfileNetwork(graph, get_profile("bike")), 400


def _hierarchy(request, name):
    network, sample = _network(request, name)
    return network.hierarchy, sample


@pytest.mark.parametrize("graph_name", ["fixture", "krems"])
def test_packed_query_names_the_target_it_reaches(request, graph_name):
    """The kernel's target index is the one :meth:`ProfileNetwork._target_index` derives
    from the path (the cheapest seed of the node the path ends on), with several
    targets, duplicated ones among them."""
    network, sample = _network(request, graph_name)
    h = network.hierarchy
    n = len(h.rank)
    rng = np.random.default_rng(11)
    reached = 0
    for _ in range(sample or 300):
        src = rng.integers(0, n, 2).astype(np.int64)
        tgt = rng.integers(0, n, 3).astype(np.int64)
        tgt[2] = tgt[0]                                   # the same node at two costs
        src_cost, tgt_cost = rng.uniform(0, 50, 2), rng.uniform(0, 50, 3)
        _, meet, arcs, target = h.query(src, src_cost, tgt, tgt_cost)
        assert target == network._target_index(meet, arcs, tgt, tgt_cost)
        reached += target >= 0
    assert reached > 50


@pytest.mark.parametrize("graph_name", ["fixture", "krems"])
def test_packed_hierarchy_queries_match_the_separate_kernels(request, graph_name):
    from routing.ch import ch_query, reset_ch, unpack
    from routing.ch_packed import unpack_into

    h, sample = _hierarchy(request, graph_name)
    n = len(h.rank)
    rng = np.random.default_rng(7)
    pairs = [(s, t) for s in range(n) for t in range(n)] if sample is None else \
        [tuple(int(v) for v in rng.integers(0, n, 2)) for _ in range(sample)]
    buffers = (np.full(n, engine.INF), np.full(n, engine.INF), np.full(n, -1, np.int64),
               np.full(n, -1, np.int64), np.empty(n + 2, np.int64), np.empty(h._heap),
               np.empty(h._heap, np.int64), np.empty(h._heap), np.empty(h._heap, np.int64))
    one = np.zeros(1)
    paths = 0
    for s, t in pairs:
        src, tgt = np.array([s], np.int64), np.array([t], np.int64)
        # The views are numbered by rank: the separate kernels run on local ids.
        cost, local, touched = ch_query(*h.up, *h.dn, h.perm[src], one, h.perm[tgt], one,
                                        *buffers)
        arcs = unpack(local, buffers[2], buffers[3], h.e_from, h.e_to, h.e_child1,
                      h.e_child2, h.e_arc) if local >= 0 else np.zeros(0, np.int64)
        if local >= 0 and len(arcs) > 1:
            pred = np.empty(2 * n, np.int32)              # both directions interleaved
            pred[0::2], pred[1::2] = buffers[2], buffers[3]
            out, stack = np.empty(len(arcs), np.int32), np.empty(n + 64, np.int32)
            assert unpack_into(local, pred, h.e_from, h.e_to, h.e_child1, h.e_child2,
                               h.e_arc, out, stack) == len(arcs)
            assert np.array_equal(out, arcs)
            for size in (0, 1, len(arcs) - 1):           # too small: refuses, never spills
                out, stack = np.empty(size, np.int32), np.empty(size + 1, np.int32)
                assert unpack_into(local, pred, h.e_from, h.e_to, h.e_child1, h.e_child2,
                                   h.e_arc, out, stack) == -1
        reset_ch(touched, *buffers[:4])
        meet = h.inv[local] if local >= 0 else local
        for got in (h.node_query(s, t), h.query(src, one, tgt, one)):
            assert got[:2] == (cost, meet) and np.array_equal(got[2], arcs)
        assert h.node_query(s, t, path=False)[:2] == (cost, meet) == h.node_cost(s, t)
        paths += len(arcs) > 0
    assert paths >= 20 and h.shortcuts > 0
    assert np.array_equal(h.inv[h.perm], np.arange(n))      # a numbering, not a merge
    # edges are numbered in arc order: node by node, its upward then its downward arcs
    owner = np.where(h.rank[h.inv[h.e_to]] > h.rank[h.inv[h.e_from]], h.e_from, h.e_to)
    assert np.all(np.diff(owner) >= 0)
    for bad in (-1, n):                 # the kernels index unchecked: refused before
        for query in (h.node_cost, h.node_query):
            with pytest.raises(IndexError):
                query(bad, 0)
            with pytest.raises(IndexError):
                query(0, bad)


def _route_nodes_loop(g, pieces):
    """The per-piece loop :func:`routing.pieces.route_nodes` replaced."""
    nodes, at, total = [], [], 0.0
    for leg in pieces:
        for edge, a, b in leg:
            length = abs(b - a)
            for node, offset in ((g.edge_u[edge], 0.0), (g.edge_v[edge], g.edge_len[edge])):
                if abs(offset - a) < 1e-6:
                    nodes.append(node), at.append(total)
                elif abs(offset - b) < 1e-6:
                    nodes.append(node), at.append(total + length)
            total += length
    return np.array(nodes, np.int64), np.array(at)


def test_route_nodes_and_pieces_match_the_loops(fixture_router):
    from routing.pieces import route_nodes

    router = fixture_router
    g = router.graph
    network = router.network("hike")
    ends = [ep for ep in (router.endpoint((float(g.node_lat[i]) + d, float(g.node_lon[i]) + d),
                                          network)
                          for i in range(g.n_nodes) for d in (0.0, 3e-5))]
    checked = 0
    for a in ends[::2]:
        for b in ends[1::2]:
            try:
                path = network.path(a, b)
            except Exception:
                continue
            pieces = [[[e, x, y] for e, x, y in path.pieces], [[e, y, x] for e, x, y in
                                                               reversed(path.pieces)]]
            got, ref = route_nodes(g, pieces), _route_nodes_loop(g, pieces)
            assert np.array_equal(got[0], ref[0]) and np.array_equal(got[1], ref[1])
            checked += 1
    assert checked > 30
    assert [len(x) for x in route_nodes(g, [[]])] == [0, 0]


def test_geojson_response_holds_the_same_document(fixture_router):
    import json

    import flask

    from web.api import geojson_response

    g = fixture_router.graph
    nodes = range(0, g.n_nodes, 2)
    documents = 0
    with flask.Flask(__name__).app_context():
        for a in nodes:
            for b in nodes:
                try:
                    it = fixture_router.route([(float(g.node_lat[a]), float(g.node_lon[a])),
                                               (float(g.node_lat[b]), float(g.node_lon[b]))])
                except Exception:
                    continue
                document = it.to_geojson()
                response = geojson_response(document)
                assert response.mimetype == "application/geo+json"
                assert json.loads(response.get_data()) == json.loads(json.dumps(document))
                documents += 1
    assert documents > 10

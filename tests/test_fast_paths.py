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
    for trial in range(40):
        xy = _random_line(rng, int(rng.integers(2, 400)))
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

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

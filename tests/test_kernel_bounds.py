"""The numba kernels at their edges: every endpoint pair of the fixture network (edge ends,
middles, unreachable parts), empty and duplicate targets, zero cost bounds, penalties.

.ci/run runs this file once more with ``NUMBA_BOUNDSCHECK=1``, where any out-of-bounds read
is an IndexError instead of garbage or a segfault.
"""
import numpy as np
import pytest

from routing import UnreachableError
from routing.engine import INF
from routing.network import Endpoint


def endpoints(router, network):
    g = router.graph
    out = []
    for edge in np.flatnonzero(network.usable):
        for offset in (0.0, g.edge_len[edge] / 2, g.edge_len[edge]):
            out.append(Endpoint(int(edge), float(offset), 0.0, 0.0, 0.0, (0.0, 0.0)))
    return out


@pytest.mark.parametrize("profile", ["hike", "bike"])
def test_every_pair_with_hierarchy_alt_and_dijkstra(fixture_router, profile):
    network = fixture_router.network(profile)
    eps = endpoints(fixture_router, network)
    assert len(eps) >= 20
    penalty = np.ones(fixture_router.graph.n_edges)
    answered = unreachable = 0
    for a in eps:
        many = network.one_to_many(a, eps)
        assert many.shape == (len(eps),) and np.all(many >= 0)
        for b, cost in zip(eps, many):
            try:
                ch = network.path(a, b)               # contraction hierarchy
                alt = network.path(a, b, penalty)     # bidirectional ALT (penalty of 1)
            except UnreachableError:
                unreachable += 1
                assert cost >= INF / 2
                continue
            answered += 1
            assert ch.cost == pytest.approx(alt.cost, rel=1e-9, abs=1e-6)
            assert cost == pytest.approx(ch.cost, rel=1e-9, abs=1e-6)
    assert answered and unreachable            # the fixture has a disconnected part


def test_degenerate_searches(fixture_router):
    network = fixture_router.network("hike")
    a, *rest = endpoints(fixture_router, network)
    assert network.one_to_many(a, []).shape == (0,)
    assert network.one_to_many(a, [a, a, a]).tolist() == [0.0, 0.0, 0.0]
    bounded, full = network.one_to_many(a, rest, max_cost=0.0), network.one_to_many(a, rest)
    assert not np.isnan(bounded).any() and np.all(bounded >= full - 1e-9)
    assert (bounded >= INF / 2).sum() > (full >= INF / 2).sum()     # the bound cut some off
    reach = network.costs_from(a, 0.0)
    assert reach.shape == (len(fixture_router.graph.node_lat),)
    everywhere = network.costs_from(a, INF)
    assert np.isfinite(everywhere).sum() >= np.isfinite(reach).sum()
    heavy = np.full(fixture_router.graph.n_edges, 1e6)
    assert network.path(a, a, heavy).cost == 0.0

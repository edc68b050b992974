"""The customizable contraction hierarchy (routing.cch) gives Dijkstra's costs: on every
pair of the fixture graph, on many pairs of a real one, on random directed graphs (one-way
arcs, parallel arcs, loops, parts that do not connect) and once customized again with
closed arcs.

.ci/run runs this file once more with ``NUMBA_BOUNDSCHECK=1``.
"""
import networkx as nx
import numpy as np
import pytest

from routing.cch import CCHTopology
from routing.engine import INF


def reference(n, tails, heads, costs, sources):
    """Dijkstra's costs (networkx) from each source to every node: INF when unreachable."""
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for u, v, c in zip(tails.tolist(), heads.tolist(), costs.tolist()):
        if np.isfinite(c) and (not g.has_edge(u, v) or g[u][v]["weight"] > c):
            g.add_edge(u, v, weight=c)
    out = np.full((len(sources), n), INF)
    for i, s in enumerate(sources):
        for v, c in nx.single_source_dijkstra_path_length(g, int(s)).items():
            out[i, v] = c
    return out


def ours(metric, sources, n):
    return np.array([[metric.node_cost(s, t)[0] for t in range(n)] for s in sources])


def assert_same(got, want):
    reach = want < INF
    assert np.array_equal(got < INF, reach)            # unreachable: INF, no finite cost
    assert np.allclose(got[reach], want[reach], rtol=1e-9, atol=1e-9)


def random_graph(rng, n, m):
    """Arcs of a random planar-ish directed graph: near neighbours on a line, some one
    way, some parallel, a loop, and a few nodes that nothing reaches."""
    tails = rng.integers(0, n - 3, m)
    heads = np.clip(tails + rng.integers(-6, 7, m), 0, n - 4)
    both = rng.random(m) < 0.7                        # the others are one-way
    tails, heads = np.concatenate([tails, heads[both], [5]]), \
        np.concatenate([heads, tails[both], [5]])
    costs = rng.uniform(0.5, 10.0, len(tails))
    return tails.astype(np.int64), heads.astype(np.int64), costs


@pytest.mark.parametrize("seed", range(4))
def test_random_directed_graphs_every_pair(seed):
    rng = np.random.default_rng(seed)
    n = 60
    tails, heads, costs = random_graph(rng, n, 150)
    topology = CCHTopology(n, tails, heads)
    metric = topology.customize(costs)
    assert_same(ours(metric, range(n), n), reference(n, tails, heads, costs, range(n)))
    assert np.all(topology.workspaces.take()[0] == INF)    # every query put back its buffer


def test_one_way_arcs_only_their_way():
    tails, heads = np.array([0, 1, 2, 2]), np.array([1, 2, 0, 3])
    metric = CCHTopology(5, tails, heads).customize(np.array([1.0, 2.0, 4.0, 8.0]))
    assert metric.node_cost(0, 2)[0] == 3.0
    assert metric.node_cost(2, 1)[0] == 5.0               # round through 0, not back along 1-2
    assert metric.node_cost(3, 2) == (INF, -1)             # 2 -> 3 is one way
    assert metric.node_cost(4, 0) == (INF, -1)             # 4 has no arcs
    assert metric.node_cost(4, 4) == (0.0, 4)
    cost, meet = metric.node_cost(0, 3)
    assert cost == 11.0 and meet in (0, 1, 2, 3)


def test_fixture_graph_every_pair_and_its_hierarchy(fixture_router):
    for profile in ("hike", "bike"):
        network = fixture_router.network(profile)
        n = network.graph.n_nodes
        metric = CCHTopology.of_network(network).customize(network.costs)
        got = ours(metric, range(n), n)
        assert_same(got, reference(n, network.tails, network.heads, network.costs, range(n)))
        ch = np.array([[network.hierarchy.node_cost(s, t)[0] for t in range(n)]
                       for s in range(n)])
        assert_same(got, ch)


@pytest.fixture(scope="module")
def krems(built, tmp_path_factory):
    """Krems's hike network, on a copy of the session's graph: its caches (hierarchy,
    topology) are this file's, not the other tests' (some count theirs)."""
    import shutil

    import graphs
    from routing.network import ProfileNetwork
    from routing.profiles import get_profile

    _, graph_dir = built("krems")
    copy = tmp_path_factory.mktemp("cch") / "krems"
    shutil.copytree(graph_dir, copy, ignore=shutil.ignore_patterns("cache"))
    return ProfileNetwork(graphs.load_graph(copy), get_profile("hike"))


def test_real_graph_many_pairs(krems):
    network = krems
    n = network.graph.n_nodes
    topology = CCHTopology.of_network(network)
    # a real order: the tree is shallow next to the graph, its arcs all lead upward
    assert topology.stats["depth_max"] < n / 5
    assert np.all(topology.parent > np.arange(n))
    assert np.all(topology.up_head > np.repeat(np.arange(n), np.diff(topology.up_ptr)))
    metric = topology.customize(network.costs)
    rng = np.random.default_rng(5)
    sources = rng.choice(n, 25, replace=False)
    got = ours(metric, sources, n)
    assert_same(got, reference(n, network.tails, network.heads, network.costs, sources))
    assert (got < INF).mean() > 0.5                          # most pairs connect
    pairs = rng.integers(0, n, (300, 2))
    assert_same(np.array([metric.node_cost(s, t)[0] for s, t in pairs]),
                np.array([network.hierarchy.node_cost(s, t)[0] for s, t in pairs]))
    # the cached topology is read back, not built again
    again = CCHTopology.of_network(network)
    assert np.array_equal(again.topo, topology.topo) and "order_s" not in again.stats


def test_closed_arcs_customized_again(krems):
    network = krems
    n = network.graph.n_nodes
    topology = CCHTopology.of_network(network)
    rng = np.random.default_rng(8)
    closed_edges = rng.choice(network.graph.n_edges, network.graph.n_edges // 10,
                              replace=False)
    closed = np.isin(network.arc_edge, closed_edges)       # both ways of a closed edge
    costs = np.where(closed, np.inf, network.costs)
    open_metric, closed_metric = topology.customize(network.costs), topology.customize(costs)
    sources = rng.choice(n, 20, replace=False)
    keep = ~closed
    want = reference(n, network.tails[keep], network.heads[keep], network.costs[keep], sources)
    got = ours(closed_metric, sources, n)
    assert_same(got, want)
    before = ours(open_metric, sources, n)                    # the first metric is unchanged
    assert np.all(got >= before) and np.any(got > before)


def test_bad_input_is_refused():
    topology = CCHTopology(3, np.array([0, 1]), np.array([1, 2]))
    with pytest.raises(ValueError):
        topology.customize(np.ones(3))
    with pytest.raises(ValueError):
        topology.customize(np.array([1.0, -1.0]))
    with pytest.raises(ValueError):
        topology.customize(np.array([1.0, np.nan]))
    with pytest.raises(ValueError):
        CCHTopology(3, np.array([0]), np.array([1]), rank=np.array([0, 0, 1]))
    metric = topology.customize(np.array([1.0, 2.0]))
    with pytest.raises(IndexError):
        metric.node_cost(0, 3)
    with pytest.raises(IndexError):
        metric.node_cost(-1, 0)


def test_seeded_costs_are_the_best_seed_pair(krems):
    network = krems
    metric = CCHTopology.of_network(network).customize(network.costs)
    rng = np.random.default_rng(11)
    n = network.graph.n_nodes
    for _ in range(30):
        src, tgt = rng.choice(n, 3, replace=False), rng.choice(n, 2)
        src_cost, tgt_cost = rng.uniform(0, 50, 3), rng.uniform(0, 50, 2)
        want = min(min(src_cost[i] + metric.node_cost(s, t)[0] + tgt_cost[j], INF)
                   for i, s in enumerate(src) for j, t in enumerate(tgt))
        assert np.isclose(metric.cost(src, src_cost, tgt, tgt_cost), want, rtol=1e-12)
    assert metric.cost([], [], [1], [0.0]) == INF
    many = np.arange(100)                       # more seeds than a pooled workspace holds
    assert metric.cost(many, np.zeros(100), many[::-1], np.zeros(100)) == 0.0
    with pytest.raises(ValueError):
        metric.cost([1, 2], [0.0], [3], [0.0])


def krems_endpoints(network, rng, count):
    from routing.network import Endpoint

    edges = rng.choice(np.flatnonzero(network.snappable), count)
    edges[1] = edges[0]                          # two stops on one edge
    length = network.graph.edge_len
    return [Endpoint(int(e), float(length[e] * f), 0.0, 0.0, 0.0, (0.0, 0.0))
            for e, f in zip(edges, rng.uniform(0, 1, count))]


def test_endpoint_costs_equal_one_to_many_also_restricted(krems):
    from routing.cch import endpoint_costs, metric_of
    from routing.restrict import RestrictedNetwork

    network = krems
    rng = np.random.default_rng(12)
    endpoints = krems_endpoints(network, rng, 12)
    factor = np.where(rng.random(network.graph.n_edges) < 0.1, np.inf, 1.0)
    factor[[ep.edge for ep in endpoints]] = 1.0   # stops stay on open edges
    factor[::7] = np.where(np.isfinite(factor[::7]), 3.0, np.inf)   # dearer, not closed
    view = RestrictedNetwork(network, factor, ("avoid_areas",))
    for net in (network, view):
        want = np.vstack([net.one_to_many(a, endpoints) for a in endpoints])
        np.fill_diagonal(want, 0.0)
        assert_same(endpoint_costs(net, endpoints), want)
    assert np.any(endpoint_costs(view, endpoints) > endpoint_costs(network, endpoints))
    assert metric_of(view) is not metric_of(network)     # a view's own customization
    assert metric_of(view).topology is metric_of(network).topology
    assert metric_of(network) is metric_of(network)      # made once

"""What a serving process keeps resident: a lean spatial index, shared workspaces, a lean
numba import — each with answers unchanged."""
import subprocess
import sys

import numpy as np

from graphs.geo import LocalProjection, project_on_segments
from graphs.spatial import INDEX_ARRAYS, PointGrid


def _brute_force_nearest(g, proj, lat, lon, mask):
    """(segment, t, distance) of the nearest allowed segment over every segment, from a
    stored projection of the shapes (what index v2 kept)."""
    x, y = proj.forward(g.shape_lat, g.shape_lon)
    start = np.ones(len(x), bool)
    start[g.edge_geom_ptr[1:] - 1] = False
    a = np.flatnonzero(start)
    edge = np.repeat(np.arange(g.n_edges), np.diff(g.edge_geom_ptr) - 1)
    px, py = (float(v) for v in proj.forward(lat, lon))
    t, dist = project_on_segments(px, py, x[a], y[a], x[a + 1], y[a + 1])
    if mask is not None:
        dist = np.where(mask[edge], dist, np.inf)
    seg = int(np.argmin(dist))           # the lowest segment id among equals, as the index
    return seg, float(t[seg]), float(dist[seg]), x[a[seg]], y[a[seg]]


def test_index_without_projected_shapes_snaps_exactly(fixture_router):
    g = fixture_router.graph
    index = fixture_router.index
    assert not {"x", "y", "seg_len", "sample_seg"} & set(INDEX_ARRAYS)
    proj = LocalProjection(float(np.mean(g.node_lat)))
    mask = fixture_router.network("bike").snappable
    rng = np.random.default_rng(11)
    lat = rng.uniform(g.node_lat.min(), g.node_lat.max(), 150)
    lon = rng.uniform(g.node_lon.min(), g.node_lon.max(), 150)
    checked = 0
    for la, lo in zip(lat, lon):
        for edge_mask in (None, mask):
            snap = index.nearest(float(la), float(lo), 5000.0, edge_mask)
            seg, t, dist, ax, ay = _brute_force_nearest(g, proj, float(la), float(lo), edge_mask)
            assert snap is not None
            assert (snap.segment, snap.t, snap.distance_m) == (int(index.seg_a[seg]), t, dist)
            assert index.seg_edge[seg] == snap.edge
            # the projection computed on the fly is the stored one, bit for bit
            assert index.xy(index.seg_a[seg]) == (ax, ay)
            checked += 1
    assert checked == 300


def test_point_grid_labels_its_points():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 5000, 3000), rng.uniform(0, 5000, 3000)
    labels = rng.integers(0, 40, 3000).astype(np.int32)
    plain, labelled = PointGrid(x, y, 100.0), PointGrid(x, y, 100.0, labels=labels)
    for px, py, r in rng.uniform(0, 5000, (30, 3)) / [1, 1, 10]:
        found = plain.query_ball_point([px, py], r)
        assert sorted(labelled.query_ball_point([px, py], r).tolist()) == \
            sorted(labels[found].tolist())


def test_networks_of_a_graph_share_one_search_pool(fixture_router):
    bike, hike = fixture_router.network("bike"), fixture_router.network("hike")
    length = fixture_router.network("bike", metric="length")
    assert bike._scratch is hike._scratch is length._scratch
    with bike._scratch.borrow() as one, hike._scratch.borrow() as two:
        assert one is not two                   # never one workspace for two queries
        assert len(one.dist_f) == fixture_router.graph.n_nodes


def test_facts_of_other_profiles_are_made_on_first_use(fixture_graph):
    from routing import RoutingService

    service = RoutingService(fixture_graph, profiles=("bike",))
    assert len(service._facts) == 1
    facts = service.facts(service.network("hike"))
    assert service.facts(service.network("hike")) is facts and len(service._facts) == 2
    assert facts.signed.shape == (fixture_graph.n_edges,)


def test_routing_imports_numba_without_its_optional_packages():
    code = ("import sys\n"
            "from routing import RoutingService\n"
            "import routing.router\n"
            "from routing.resident import NUMBA_OPTIONAL\n"
            "assert 'numba' in sys.modules\n"
            "print(sorted(m for m in NUMBA_OPTIONAL if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[]"


def test_equal_cached_arrays_are_mapped_once(tmp_path):
    from graphs.arrays import DIGESTS, map_arrays, save_arrays

    same = np.arange(5000, dtype=np.int64)
    save_arrays(tmp_path / "a", {"heads": same, "costs": np.ones(5000)})
    save_arrays(tmp_path / "b", {"heads": same.copy(), "costs": np.full(5000, 2.0)})
    a, b = map_arrays(tmp_path / "a"), map_arrays(tmp_path / "b")
    assert a["heads"] is b["heads"]                       # one mapping for the same bytes
    assert a["costs"] is not b["costs"] and float(b["costs"][0]) == 2.0
    assert not a["heads"].flags.writeable and np.array_equal(b["heads"], same)
    # a cache written before digests existed gets them on first use
    (tmp_path / "b" / DIGESTS).unlink()
    assert map_arrays(tmp_path / "b")["heads"] is a["heads"]
    assert (tmp_path / "b" / DIGESTS).is_file()


def test_cost_and_length_networks_share_their_arcs(fixture_graph, tmp_path):
    import graphs
    from routing import RoutingService

    graph = graphs.load_graph(graphs.save_graph(fixture_graph, tmp_path / "g"))
    service = RoutingService(graph, profiles=("hike",))
    cost, length = service.network("hike"), service.network("hike", metric="length")
    assert cost.heads is length.heads and cost.indptr is length.indptr
    assert cost.costs is not length.costs

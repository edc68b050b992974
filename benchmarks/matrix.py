"""Many-to-many tables: the contraction hierarchy's buckets against repeated one-to-many.

Run from the repository root on a built graph::

    python benchmarks/matrix.py --graph build/heidelberg --profile bike --size 100

Both planners answer the same ``size`` x ``size`` table (random points of the main
component, seeded) through :func:`routing.matrix.table`, snapping included; each is
timed ``--repeat`` times after a warm-up and the median is reported, with their ratio;
the searches alone (snapped endpoints in, cost/duration/metre tables out) and the snapping
of the 200 points are timed apart.
Mismatches count the pairs whose duration or distance differ (> 1e-6 relative) or whose
reachability does; ``networkx_mismatches`` checks the hierarchy's costs for the first
``--networkx`` sources against networkx's Dijkstra on the same arcs.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import graphs  # noqa: E402
import routing  # noqa: E402
from routing.engine import INF  # noqa: E402
from routing.matrix import hierarchy_table, one_to_many_table, table  # noqa: E402


def _points(graph, n: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    main = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
    return [(float(graph.node_lat[i]), float(graph.node_lon[i]))
            for i in rng.choice(main, n, replace=False)]


def _timed(run, repeat: int) -> tuple[float, dict]:
    run()                                            # compile / warm up
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _mismatches(a: list, b: list) -> int:
    x = np.array([[np.nan if v is None else v for v in row] for row in a], float)
    y = np.array([[np.nan if v is None else v for v in row] for row in b], float)
    differ = np.isnan(x) != np.isnan(y)
    both = ~np.isnan(x) & ~np.isnan(y)
    # the tables are rounded to 0.1: allow that rounding
    differ[both] |= np.abs(x[both] - y[both]) > np.maximum(1e-6 * np.abs(y[both]), 0.1 + 1e-9)
    return int(differ.sum())


def _networkx_mismatches(network, eps, sources: int) -> int:
    import networkx as nx

    graph = nx.DiGraph()
    for u, v, w in zip(network.tails.tolist(), network.heads.tolist(), network.costs.tolist()):
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > w:
            graph.add_edge(u, v, weight=w)
    ours = hierarchy_table(network, eps[:sources], eps)[0]
    bad = 0
    for i, a in enumerate(eps[:sources]):
        for node, cost in zip(*network.exits(a)):
            graph.add_edge("s", int(node), weight=float(cost))
        lengths = nx.single_source_dijkstra_path_length(graph, "s")
        graph.remove_node("s")
        for j, b in enumerate(eps):
            theirs = min((lengths.get(int(n), np.inf) + c for n, c in zip(*network.entries(b))),
                         default=np.inf)
            mine = ours[i, j]
            if np.isfinite(theirs) != (mine < INF / 2) or (
                    np.isfinite(theirs) and abs(mine - theirs) > 1e-6 * max(theirs, 1.0)):
                bad += 1
    return bad


def run(graph_dir: Path, profile: str, size: int, repeat: int, seed: int, nx_sources: int) -> dict:
    router = routing.Router(graphs.load_graph(graph_dir), profiles=[profile])
    points = _points(router.graph, size, seed)
    before_s, before = _timed(lambda: table(router, points, points, profile,
                                            planner="one-to-many"), repeat)
    after_s, after = _timed(lambda: table(router, points, points, profile), repeat)
    network = router.network(profile)
    snap_s, eps = _timed(lambda: router.endpoints(points + points, network, limit=2 * size),
                         repeat)
    eps = eps[:size]
    core_before, _ = _timed(lambda: one_to_many_table(network, eps, eps), repeat)
    core_after, _ = _timed(lambda: hierarchy_table(network, eps, eps), repeat)
    return {"graph": graph_dir.name, "profile": profile, "size": f"{size}x{size}",
            "one_to_many_s": round(before_s, 4), "ch_buckets_s": round(after_s, 4),
            "speed_up": round(before_s / after_s, 1), "planner": after["meta"]["planner"],
            "snapping_s": round(snap_s, 4), "searches_one_to_many_s": round(core_before, 4),
            "searches_ch_buckets_s": round(core_after, 4),
            "searches_speed_up": round(core_before / core_after, 1),
            "duration_mismatches": _mismatches(after["durations"], before["durations"]),
            "distance_mismatches": _mismatches(after["distances"], before["distances"]),
            "networkx_pairs": nx_sources * size,
            "networkx_mismatches": _networkx_mismatches(network, eps, nx_sources)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--profile", default="bike")
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--networkx", type=int, default=5, help="sources checked by networkx")
    args = parser.parse_args()
    print(json.dumps(run(args.graph, args.profile, args.size, args.repeat, args.seed,
                         args.networkx), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

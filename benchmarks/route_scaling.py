"""Benchmark: full ``RoutingService.route()`` time, stage by stage, on graphs of growing size.

The same query pairs (1-15 km apart, drawn on the first graph) are planned on
every graph given, e.g. Heidelberg and its 4x / 16x tiled copies
(``benchmarks/tile_graph.py``): tile (0, 0) is the original, so routes are the
same and any growth of the time per route-km comes from the graph's size.
Stages (CPU time of the thread): snap (both points), CH path, itinerary
assembly, places along (the corridor's candidates and their detours measured on
the network); the
whole route in wall time and in CPU time of the thread (``route_cpu``: what a
loaded machine's preemptions do not inflate), which ms per route-km uses.

    python benchmarks/tile_graph.py --graph build/heidelberg --factor 4 --out build/heidelberg-x4
    python benchmarks/tile_graph.py --graph build/heidelberg --factor 16 --out build/heidelberg-x16
    python benchmarks/route_scaling.py build/heidelberg build/heidelberg-x4 build/heidelberg-x16

Prints one JSON object; a graph that fails is reported and the others still run.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphs.store import load_graph  # noqa: E402
from routing import RoutingError, RoutingService  # noqa: E402
from routing.assemble import assemble  # noqa: E402
from routing.corridor import places_along  # noqa: E402


def node_pairs(graph, count: int, seed: int, lo_m=1000.0, hi_m=15000.0) -> list:
    """``count`` node pairs of the main component, ``lo_m``-``hi_m`` apart (as the issue)."""
    rng = np.random.default_rng(seed)
    main = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
    pairs = []
    for _ in range(200 * count):
        if len(pairs) == count:
            break
        a, b = (int(x) for x in rng.choice(main, 2))
        lat = np.radians(graph.node_lat[a])
        d = 6371000 * np.hypot(np.radians(graph.node_lat[b] - graph.node_lat[a]),
                               np.radians(graph.node_lon[b] - graph.node_lon[a]) * np.cos(lat))
        if lo_m <= d <= hi_m:
            pairs.append((a, b))
    return pairs


def query_pairs(graph, count: int, seed: int) -> list:
    """The coordinates of :func:`node_pairs`: ``((lat, lon), (lat, lon))``."""
    return [((float(graph.node_lat[a]), float(graph.node_lon[a])),
             (float(graph.node_lat[b]), float(graph.node_lon[b])))
            for a, b in node_pairs(graph, count, seed)]


def time_routes(service, pairs, profile: str) -> dict:
    """p50 of each stage and of the whole route (ms), and ms per route-km."""
    network = service.network(profile)
    facts = service.facts(network)
    stages = {"snap": [], "ch": [], "assembly": [], "places": [], "route": [], "route_cpu": []}
    per_km, km = [], []
    for pair in pairs[:5]:                                   # warm caches and kernels
        try:
            service.route(list(pair), profile)
        except RoutingError:
            pass
    for pair in pairs:
        try:
            # Stages in CPU time of the thread (what preemptions on a loaded machine do not
            # inflate); the whole route in wall time and CPU time.
            t0 = time.thread_time()
            ends = service.endpoints(list(pair), network)
            t1 = time.thread_time()
            path = network.path(ends[0], ends[1])
            t2 = time.thread_time()
            itinerary = assemble(network, facts, [path], [service.waypoint(e) for e in ends],
                                 "route")
            t3 = time.thread_time()
            places_along(service, itinerary, service.corridor_m)   # candidates + detours
            t4, c4 = time.perf_counter(), time.thread_time()
            whole = service.route(list(pair), profile)
            t5, c5 = time.perf_counter(), time.thread_time()
        except RoutingError:
            continue
        for name, value in zip(stages, (t1 - t0, t2 - t1, t3 - t2, c4 - t3, t5 - t4, c5 - c4)):
            stages[name].append(value * 1000)
        km.append(whole.distance_m / 1000)
        per_km.append((c5 - c4) * 1000 / max(whole.distance_m / 1000, 0.1))
    out = {f"{name}_p50_ms": round(float(np.median(v)), 3) for name, v in stages.items()}
    out.update({"routes": len(km), "route_km_p50": round(float(np.median(km)), 2),
                "ms_per_km_p50": round(float(np.median(per_km)), 4),
                "ms_per_km_mean": round(float(np.sum(stages["route_cpu"]) / np.sum(km)), 4)})
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graphs", nargs="+", type=Path, help="compiled graph directories")
    parser.add_argument("--profile", default="hike")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args(argv)
    pairs = query_pairs(load_graph(args.graphs[0]), args.pairs, args.seed)
    out: dict = {"profile": args.profile, "pairs": len(pairs), "graphs": {}}
    for directory in args.graphs:
        try:
            graph = load_graph(directory)
            t0 = time.perf_counter()
            service = RoutingService(graph, profiles=(args.profile,))
            setup = time.perf_counter() - t0
            result = {"nodes": graph.n_nodes, "edges": graph.n_edges,
                      "setup_s": round(setup, 2)}
            result.update(time_routes(service, pairs, args.profile))
        except Exception as exc:          # one graph failing must not hide the others
            result = {"error": f"{type(exc).__name__}: {exc}"}
        out["graphs"][str(directory)] = result
        print(json.dumps({str(directory): result}), file=sys.stderr)
    base = out["graphs"][str(args.graphs[0])].get("ms_per_km_p50")
    if base:
        out["ms_per_km_vs_first"] = {k: round(v["ms_per_km_p50"] / base, 3)
                                     for k, v in out["graphs"].items() if "ms_per_km_p50" in v}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

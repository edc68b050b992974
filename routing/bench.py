"""``bassin-routes bench``: the engine against networkx on the same graph and weights."""
from __future__ import annotations

import time

import networkx as nx
import numpy as np

from .router import Router


def networkx_graph(network) -> nx.DiGraph:
    """The profile's arcs as a networkx DiGraph (parallel arcs keep the cheapest)."""
    matrix = network.matrix().tocoo()
    graph = nx.DiGraph()
    graph.add_nodes_from(range(network.graph.n_nodes))
    graph.add_weighted_edges_from(zip(matrix.row.tolist(), matrix.col.tolist(),
                                      matrix.data.tolist()))
    return graph


def _pct(values, q) -> float:
    return round(float(np.percentile(values, q)) * 1000.0, 4)


def run_bench(graph, profile: str = "hike", queries: int = 200, seed: int = 1,
              tour_stops: int = 12, loop_km: float = 30.0) -> dict:
    """Time random queries; see the module docstring. Returns the JSON-ready result."""
    router = Router(graph)
    started = time.perf_counter()
    network = router.network(profile)
    _ = network.hierarchy                          # built on first use: count it as set-up
    setup_s = time.perf_counter() - started
    rng = np.random.default_rng(seed)
    main = np.flatnonzero((graph.node_comp == np.argmax(graph.comp_length_m))
                          & (np.diff(network.indptr) > 0))
    pairs = [tuple(int(x) for x in rng.choice(main, 2, replace=False)) for _ in range(queries)]
    network.node_query(*pairs[0])              # compile / warm up
    nxg = networkx_graph(network)
    # Each contender runs its queries back to back, so neither evicts the other's data
    # from the CPU caches between two of its own queries.
    engine_t, engine_cost = [], []
    for s, t in pairs:
        t0 = time.perf_counter()
        cost, _ = network.node_query(s, t)
        engine_t.append(time.perf_counter() - t0)
        engine_cost.append(cost)
    nx_t, nx_cost = [], []
    for s, t in pairs:
        t0 = time.perf_counter()
        try:
            ref, _ = nx.bidirectional_dijkstra(nxg, s, t, weight="weight")
        except nx.NetworkXNoPath:
            ref = float("inf")
        nx_t.append(time.perf_counter() - t0)
        nx_cost.append(ref)
    mismatches = unreachable = 0
    for cost, ref in zip(engine_cost, nx_cost):
        if not np.isfinite(ref):
            unreachable += 1
            mismatches += int(cost < 1e29)
        elif abs(cost - ref) > 1e-6 * max(ref, 1e-9):
            mismatches += 1
    result = {
        "graph": graph.meta.get("name"), "profile": profile, "nodes": graph.n_nodes,
        "arcs": int(len(network.heads)), "queries": queries, "seed": seed,
        "setup_s": round(setup_s, 3),
        "engine_p50_ms": _pct(engine_t, 50), "engine_p95_ms": _pct(engine_t, 95),
        "networkx_p50_ms": _pct(nx_t, 50), "networkx_p95_ms": _pct(nx_t, 95),
        "speedup_p50": round(float(np.median(nx_t) / np.median(engine_t)), 1),
        "cost_mismatches": mismatches, "unreachable_pairs": unreachable,
    }
    result.update(_tour_and_loop(router, graph, profile, rng, main, tour_stops, loop_km))
    return result


def random_stops(graph, network, n: int, rng, spread: float = 0.25) -> list[tuple]:
    """``n`` random (lat, lon) of nodes of the main component that the network can leave,
    drawn among the ``spread`` share of them nearest its centre."""
    main = np.flatnonzero((graph.node_comp == np.argmax(graph.comp_length_m))
                          & (np.diff(network.indptr) > 0))
    center = np.array([np.median(graph.node_lat[main]), np.median(graph.node_lon[main])])
    dist = np.hypot(graph.node_lat[main] - center[0], graph.node_lon[main] - center[1])
    near = main[np.argsort(dist)[: max(int(len(main) * spread), n)]]
    return [(float(graph.node_lat[k]), float(graph.node_lon[k]))
            for k in rng.choice(near, n, replace=False)]


def _tour_and_loop(router, graph, profile, rng, main, tour_stops, loop_km) -> dict:
    coords = lambda n: (float(graph.node_lat[n]), float(graph.node_lon[n]))  # noqa: E731
    center = np.array([np.median(graph.node_lat[main]), np.median(graph.node_lon[main])])
    dist = np.hypot(graph.node_lat[main] - center[0], graph.node_lon[main] - center[1])
    near = main[np.argsort(dist)[: max(len(main) // 4, tour_stops)]]
    stops = [coords(n) for n in rng.choice(near, tour_stops, replace=False)]
    router.tour(stops[:3], profile)            # warm up
    tour_t = []
    for _ in range(3):
        t0 = time.perf_counter()
        tour = router.tour(stops, profile)
        tour_t.append(time.perf_counter() - t0)
    start = coords(int(near[0]))
    router.loop(start, 5.0, profile)           # warm up
    t0 = time.perf_counter()
    loops = router.loop(start, loop_km, profile)
    loop_s = time.perf_counter() - t0
    best = loops[0]
    return {
        "tour_stops": tour_stops, "tour_ms": round(min(tour_t) * 1000, 1),
        "tour_km": round(tour.distance_m / 1000, 2),
        "loop_target_km": loop_km, "loop_ms": round(loop_s * 1000, 1),
        "loop_km": round(best.distance_m / 1000, 2),
        "loop_reuse_share": best.meta.get("reuse_share"), "loop_candidates": len(loops),
    }

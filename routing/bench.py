"""``bassin-routes bench``: the engine against networkx on the same graph and weights."""
from __future__ import annotations

import time

import networkx as nx
import numpy as np

from .router import RoutingService


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
    started = time.perf_counter()
    router = RoutingService(graph, profiles=(profile,))     # network and CH: set-up
    network = router.network(profile)
    setup_s = time.perf_counter() - started
    rng = np.random.default_rng(seed)
    main = np.flatnonzero((graph.node_comp == np.argmax(graph.comp_length_m))
                          & (np.diff(network.indptr) > 0))
    pairs = [tuple(int(x) for x in rng.choice(main, 2, replace=False)) for _ in range(queries)]
    network.node_query(*pairs[0])              # compile / warm up
    network.node_query(*pairs[0], alt=True)
    nxg = networkx_graph(network)
    # Each contender runs its queries back to back, so neither evicts the other's data
    # from the CPU caches between two of its own queries.
    timed = {name: _timed(lambda s, t, alt=alt: network.node_query(s, t, alt=alt)[0], pairs)
             for name, alt in (("ch", False), ("alt", True))}
    timed["networkx"] = _timed(lambda s, t: _networkx_cost(nxg, s, t), pairs)
    nx_t, nx_cost = timed["networkx"]
    result = {
        "graph": graph.meta.get("name"), "profile": profile, "nodes": graph.n_nodes,
        "arcs": int(len(network.heads)), "queries": queries, "seed": seed,
        "setup_s": round(setup_s, 3),
        "networkx_p50_ms": _pct(nx_t, 50), "networkx_p95_ms": _pct(nx_t, 95),
        "unreachable_pairs": int(sum(not np.isfinite(r) for r in nx_cost)),
    }
    for name in ("ch", "alt"):
        times, costs = timed[name]
        result.update({f"{name}_p50_ms": _pct(times, 50), f"{name}_p95_ms": _pct(times, 95),
                       f"{name}_speedup_p50": round(float(np.median(nx_t) / np.median(times)), 1),
                       f"{name}_cost_mismatches": _mismatches(costs, nx_cost)})
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


def _timed(query, pairs) -> tuple[list, list]:
    """Seconds and cost of ``query(s, t)`` for each pair."""
    times, costs = [], []
    for s, t in pairs:
        t0 = time.perf_counter()
        costs.append(query(s, t))
        times.append(time.perf_counter() - t0)
    return times, costs


def _networkx_cost(nxg, s: int, t: int) -> float:
    try:
        return nx.bidirectional_dijkstra(nxg, s, t, weight="weight")[0]
    except nx.NetworkXNoPath:
        return float("inf")


def _mismatches(costs, reference) -> int:
    """Queries whose cost differs from networkx's (relative 1e-6; reachability too)."""
    wrong = 0
    for cost, ref in zip(costs, reference):
        if not np.isfinite(ref):
            wrong += int(cost < 1e29)
        elif abs(cost - ref) > 1e-6 * max(ref, 1e-9):
            wrong += 1
    return wrong


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

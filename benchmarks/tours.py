"""Benchmark: tour order quality and time per size, on Heidelberg and the basin.

For each graph and size (13–25 stops by default) it draws random stops of
the main component, builds the real stop-to-stop cost matrix, and compares
the order the planner gives (:func:`routing.tour.solve_order`: Held-Karp up
to ``EXACT_UP_TO`` stops, OR-Tools above with its per-request time limit)
with the best known order: the optimum by Held-Karp where it is affordable
(≤ ``--exact-max`` stops), else the best of a long multi-start OR-Tools run
(several first-solution strategies × metaheuristics, ``--long-s`` each).
Prints one JSON object: per case the gap (%) and time, and per size the
worst gap and median time.

    python benchmarks/tours.py --graph build/heidelberg --graph build/basin
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
from routing import Router  # noqa: E402
from routing import tsp  # noqa: E402
from routing.bench import random_stops  # noqa: E402
from routing.tour import solve_order, stop_matrix  # noqa: E402

STARTS = [(first, meta) for first in ("PATH_CHEAPEST_ARC", "SAVINGS", "CHRISTOFIDES")
          for meta in ("GUIDED_LOCAL_SEARCH", "SIMULATED_ANNEALING", "TABU_SEARCH")]


def best_known(matrix: np.ndarray, fixed_start: bool, fixed_end: bool, closed: bool,
               exact_max: int, long_s: float) -> tuple[float, str]:
    """The optimum (Held-Karp) when affordable, else the best of the multi-start runs."""
    cost = tsp.tour_matrix(matrix, fixed_start, fixed_end, closed)
    if len(matrix) <= exact_max:
        total, order = tsp.held_karp(cost)
        return float(total), "optimum"
    best = np.inf
    for first, meta in STARTS:
        order = tsp.ortools_order(cost, long_s, first=first, metaheuristic=meta)
        if order is not None:
            best = min(best, tsp.cycle_cost(cost, order))
    return float(best), f"best of {len(STARTS)} OR-Tools runs × {long_s:g} s"


def finite_case(router, network, n: int, rng, tries: int = 20):
    """Stops and their matrix, redrawn until every stop reaches every other."""
    for _ in range(tries):
        stops = random_stops(router.graph, network, n, rng)
        matrix = stop_matrix(network, router.endpoints(stops, network))
        if np.all(matrix < 1e29):
            return stops, matrix
    raise RuntimeError(f"no {n}-stop case with all stops mutually reachable in {tries} draws")


def run(graph_dirs, sizes, cases: int, profile: str, seed: int, exact_max: int,
        long_s: float, kinds) -> dict:
    rows = []
    solve_order(np.array([[0.0, 1.0], [1.0, 0.0]]), True, False, False)     # compile
    for directory in graph_dirs:
        router = Router(graphs.load_graph(directory))
        network = router.network(profile)
        rng = np.random.default_rng(seed)
        for n in sizes:
            for case in range(cases):
                kind = kinds[case % len(kinds)]
                flags = {"open": (True, False, False), "closed": (True, False, True),
                         "fixed-end": (True, True, False)}[kind]
                _, matrix = finite_case(router, network, n, rng)
                started = time.perf_counter()
                total, order, exact = solve_order(matrix, *flags)
                took = time.perf_counter() - started
                ref, how = best_known(matrix, *flags, exact_max, long_s)
                rows.append({"graph": router.graph.meta.get("name") or str(directory),
                             "stops": n, "case": case, "kind": kind,
                             "solver": "held-karp" if exact else "or-tools",
                             "cost": round(total, 2), "best_known": round(ref, 2),
                             "best_known_by": how,
                             "gap_pct": round(100.0 * (total - ref) / ref, 3),
                             "time_ms": round(took * 1000, 1)})
                print(json.dumps(rows[-1]), file=sys.stderr)
    per_size = {}
    for n in sizes:
        sel = [r for r in rows if r["stops"] == n]
        per_size[n] = {"cases": len(sel), "max_gap_pct": max(r["gap_pct"] for r in sel),
                       "mean_gap_pct": round(statistics.mean(r["gap_pct"] for r in sel), 3),
                       "median_ms": round(statistics.median(r["time_ms"] for r in sel), 1),
                       "max_ms": max(r["time_ms"] for r in sel),
                       "solver": sel[0]["solver"]}
    return {"profile": profile, "seed": seed, "exact_up_to": tsp.EXACT_UP_TO,
            "per_size": per_size, "cases": rows}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", action="append", required=True, type=Path,
                        help="compiled graph directory (repeat)")
    parser.add_argument("--sizes", default="13,15,17,20,23,25")
    parser.add_argument("--cases", type=int, default=3, help="cases per size and graph")
    parser.add_argument("--profile", default="bike")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exact-max", type=int, default=17,
                        help="largest size whose best known order is Held-Karp's optimum")
    parser.add_argument("--long-s", type=float, default=3.0,
                        help="seconds of each multi-start OR-Tools run")
    parser.add_argument("--kinds", default="open,closed,fixed-end")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    result = run(args.graph, sizes, args.cases, args.profile, args.seed, args.exact_max,
                 args.long_s, args.kinds.split(","))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

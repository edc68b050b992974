"""Benchmark: full ``RoutingService.route()`` time, stage by stage, on graphs of growing size.

The same query pairs (1-15 km apart, drawn on the first graph) are planned on
every graph given, e.g. Heidelberg and its 4x / 16x tiled copies
(``benchmarks/tile_graph.py``): tile (0, 0) is the original, so routes are the
same and any growth of the time per route-km comes from the graph's size.
Stages (CPU time of the thread): snap (both points), CH path, itinerary
assembly, places along (the corridor's candidates and their detours measured on
the network); the whole route in wall time and in CPU time of the thread
(``route_cpu``: what a loaded machine's preemptions do not inflate), which ms per
route-km uses.

What is measured, so that graph size is the only difference between graphs:

* the caches a graph lacks (profile networks, hierarchy, spatial index) are built
  first, each in a process of its own (``setup_s``), never in the measuring one (the
  run that contracted the 4x and 16x graphs in the measuring process gave 1.61x; the
  same code on the same graphs, prepared, 1.03x and 1.04x);
* every service is built and warmed up (``RoutingService.warm_up``) as a server
  does before accepting, all in one process;
* ``cold``: the first pass over the pairs on each graph (pages of the mapped graph
  a route reads for the first time are faulted in: ``faults_per_route``, minor page
  faults of the thread, by stage too);
* warm (the top-level figures): ``--rounds`` more passes, the graphs taking turns
  in a rotating order so that a change of the machine's load hits them all alike;
  p50 over every route of every round, and the ratio of each round's p50 to the
  first graph's in the same round (``ms_per_km_vs_first_by_round``).

    python benchmarks/tile_graph.py --graph build/heidelberg --factor 4 --out build/heidelberg-x4
    python benchmarks/tile_graph.py --graph build/heidelberg --factor 16 --out build/heidelberg-x16
    python benchmarks/route_scaling.py build/heidelberg build/heidelberg-x4 build/heidelberg-x16

Prints one JSON object; a graph that fails is reported and the others still run.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


STAGES = ("snap", "ch", "assembly", "places", "route", "route_cpu")


def _faults() -> int:
    """Minor page faults of this thread so far (of the process where threads have none)."""
    who = getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF)
    return resource.getrusage(who).ru_minflt


def plan_stages(service, network, facts, pair) -> tuple:
    """One pair's stages, timed: (CPU ms by stage with the route's wall ms, faults by
    stage, route km). Raises RoutingError as ``route`` does."""
    clock, faults = [time.thread_time()], [_faults()]
    ends = service.endpoints(list(pair), network)
    clock.append(time.thread_time())
    faults.append(_faults())
    path = network.path(ends[0], ends[1])
    clock.append(time.thread_time())
    faults.append(_faults())
    itinerary = assemble(network, facts, [path], [service.waypoint(e) for e in ends], "route")
    clock.append(time.thread_time())
    faults.append(_faults())
    places_along(service, itinerary, service.corridor_m)          # candidates + detours
    wall, clock2, faults2 = time.perf_counter(), time.thread_time(), _faults()
    whole = service.route(list(pair), network.profile.name)
    wall = time.perf_counter() - wall
    clock += [clock2, time.thread_time()]
    faults += [faults2, _faults()]
    cpu = np.diff(clock) * 1000
    ms = np.array([cpu[0], cpu[1], cpu[2], cpu[3], wall * 1000, cpu[4]])
    return ms, np.diff(faults), whole.distance_m / 1000


def one_pass(service, pairs, profile: str) -> tuple:
    """Every pair once: (ms array routes x stages, faults routes x 5, km per route)."""
    network = service.network(profile)
    facts = service.facts(network)
    ms, faults, km = [], [], []
    for pair in pairs:
        try:
            m, f, k = plan_stages(service, network, facts, pair)
        except RoutingError:
            continue
        ms.append(m)
        faults.append(f)
        km.append(k)
    return np.array(ms).reshape(-1, len(STAGES)), np.array(faults).reshape(-1, 5), np.array(km)


def summary(ms: np.ndarray, km: np.ndarray) -> dict:
    """p50 of each stage (ms), routes, route km and ms per route-km (CPU)."""
    out = {f"{name}_p50_ms": round(float(np.median(ms[:, i])), 3)
           for i, name in enumerate(STAGES)}
    per_km = ms[:, STAGES.index("route_cpu")] / np.maximum(km, 0.1)
    out.update({"routes": int(len(km)), "route_km_p50": round(float(np.median(km)), 2),
                "ms_per_km_p50": round(float(np.median(per_km)), 4),
                "ms_per_km_mean": round(float(ms[:, -1].sum() / km.sum()), 4)})
    return out


def cold_summary(ms, faults, km) -> dict:
    out = summary(ms, km)
    out["faults_per_route"] = round(float(faults.sum(axis=1).mean()), 1)
    out["faults_per_route_by_stage"] = {name: round(float(faults[:, i].mean()), 1)
                                        for i, name in enumerate(STAGES[:4] + ("route",))}
    return out


def prepare(directory: Path, profile: str) -> float:
    """Build the graph's missing caches in a child process; its wall seconds."""
    code = ("import sys\n"
            "from graphs.store import load_graph\n"
            "from routing import RoutingService\n"
            "RoutingService(load_graph(sys.argv[1]), profiles=(sys.argv[2],))\n")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(directory), profile], check=True,
                   cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graphs", nargs="+", type=Path, help="compiled graph directories")
    parser.add_argument("--profile", default="hike")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5, help="warm passes per graph")
    args = parser.parse_args(argv)
    pairs = query_pairs(load_graph(args.graphs[0]), args.pairs, args.seed)
    out: dict = {"profile": args.profile, "pairs": len(pairs), "rounds": args.rounds,
                 "graphs": {}}
    services: dict = {}
    for directory in args.graphs:
        key = str(directory)
        try:
            setup = prepare(directory, args.profile)
            graph = load_graph(directory)
            t0 = time.perf_counter()
            service = RoutingService(graph, profiles=(args.profile,))
            service.warm_up()
            out["graphs"][key] = {"nodes": graph.n_nodes, "edges": graph.n_edges,
                                  "setup_s": round(setup, 2),
                                  "load_s": round(time.perf_counter() - t0, 2)}
            services[key] = service
        except Exception as exc:          # one graph failing must not hide the others
            out["graphs"][key] = {"error": f"{type(exc).__name__}: {exc}"}
    for key, service in services.items():
        ms, faults, km = one_pass(service, pairs, args.profile)
        out["graphs"][key]["cold"] = cold_summary(ms, faults, km)
    keys = list(services)
    warm: dict = {key: [] for key in keys}
    for r in range(args.rounds):
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:
            ms, _, km = one_pass(services[key], pairs, args.profile)
            warm[key].append((ms, km))
    for key in keys:
        ms = np.concatenate([m for m, _ in warm[key]])
        km = np.concatenate([k for _, k in warm[key]])
        out["graphs"][key].update(summary(ms, km))
        print(json.dumps({key: out["graphs"][key]}), file=sys.stderr)
    if keys and args.rounds:
        first = keys[0]
        out["ms_per_km_vs_first"] = {k: round(out["graphs"][k]["ms_per_km_p50"]
                                              / out["graphs"][first]["ms_per_km_p50"], 3)
                                     for k in keys}
        out["ms_per_km_vs_first_cold"] = {
            k: round(out["graphs"][k]["cold"]["ms_per_km_p50"]
                     / out["graphs"][first]["cold"]["ms_per_km_p50"], 3) for k in keys}
        out["ms_per_km_vs_first_by_round"] = {
            k: [round(float(np.median(warm[k][r][0][:, -1] / np.maximum(warm[k][r][1], 0.1))
                            / np.median(warm[first][r][0][:, -1]
                                        / np.maximum(warm[first][r][1], 0.1))), 3)
                for r in range(args.rounds)] for k in keys}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

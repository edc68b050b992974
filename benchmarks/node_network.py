"""Time per node-to-node route on a node network, against the plain router on the same pairs.

The basin test network has no node network of its own: by default the proposed one
(:mod:`routing.node_proposal`) is applied to it (``graphs.node_network.apply_to_osm``) and
the result is built, so the planner runs on 550 real-scale junctions::

    python benchmarks/node_network.py --osm ../shared/data/bassin-minier/network.osm \
        --heritage ../shared/data/bassin-minier --pairs 300

Reported: milliseconds per route for the node planner (junctions resolved, legs assembled,
sequence read), for resolving the two numbers alone (numbers repeat: the cheapest linked
chain is searched), and for ``Router.route`` between the same junctions, and the ratio.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import graphs
from graphs.node_network import apply_to_osm
from routing import Router
from routing.node_network import NodePlanner
from routing.node_proposal import propose_node_network


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osm", type=Path, required=True)
    parser.add_argument("--heritage", type=Path)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    base = graphs.build_graph(args.osm, heritage_dir=args.heritage, name="base")
    with tempfile.TemporaryDirectory() as tmp:
        merged = Path(tmp) / "with-nodes.osm"
        apply_to_osm(args.osm, merged, *propose_node_network(base).osm_objects(base))
        graph = graphs.build_graph(merged, heritage_dir=args.heritage, name="with-nodes")
    router = Router(graph)
    planner = NodePlanner(router)
    junctions = planner.junctions("rcn")
    rng = random.Random(args.seed)
    planner.plan("rcn", [f"osm:{junctions[0]['osm_id']}", f"osm:{junctions[1]['osm_id']}"])  # warm
    router.route([(junctions[0]["lat"], junctions[0]["lon"]), (junctions[1]["lat"], junctions[1]["lon"])], "bike")
    node_ms, plain_ms, hops, resolve_ms = [], [], [], []
    done = 0
    while done < args.pairs:
        a, b = rng.sample(junctions, 2)
        try:
            started = time.perf_counter()
            result = planner.plan("rcn", [f"osm:{a['osm_id']}", f"osm:{b['osm_id']}"])
            node_ms.append((time.perf_counter() - started) * 1000)
        except Exception:                      # pairs on separate pieces of the network
            continue
        started = time.perf_counter()
        planner.resolve("rcn", [a["label"], b["label"]], "bike")     # numbers, as people type them
        resolve_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        router.route([(a["lat"], a["lon"]), (b["lat"], b["lon"])], "bike")
        plain_ms.append((time.perf_counter() - started) * 1000)
        hops.append(len(result.sequence))
        done += 1
    report = {"junctions": len(junctions), "links": planner.networks()["rcn"]["links"],
              "pairs": done, "nodes_per_route_median": statistics.median(hops),
              "node_planner_ms_median": round(statistics.median(node_ms), 2),
              "node_planner_ms_p95": round(sorted(node_ms)[int(0.95 * len(node_ms)) - 1], 2),
              "resolve_numbers_ms_median": round(statistics.median(resolve_ms), 2),
              "router_ms_median": round(statistics.median(plain_ms), 2),
              "ratio_node_over_router": round(statistics.median(node_ms) / statistics.median(plain_ms), 2)}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

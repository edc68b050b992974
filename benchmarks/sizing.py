"""Sizing: build time, peak memory and serving memory of 1x, 4x, 16x tiled Heidelberg.

For each size, in fresh processes (so each peak is its own):

* ``build``: OSM -> compiled graph (1x: ``bassin-routes build``; 4x, 16x: the tiling
  tool ``benchmarks/tile_graph.py`` on the 1x graph, which is how the sizes are made);
* ``prepare``: load the graph and build the routing service for ``--profiles``
  (networks, landmarks, contraction hierarchies, cached beside the graph);
* ``serve``: a restarted service (hierarchies from the cache) after planning routes:
  its RSS and PSS, i.e. what one server process costs.

    python benchmarks/sizing.py --osm ../shared/data/osm/heidelberg.osm.pbf --out build/sizing

Prints one JSON object (seconds, MB).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.memory import ONE_PROCESS  # noqa: E402
from graphs.store import load_graph  # noqa: E402

PEAK = """
import resource, runpy, sys, json, time
sys.argv = sys.argv[1:]
started = time.perf_counter()
{body}
print(json.dumps({{"seconds": round(time.perf_counter() - started, 1),
                   "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}}))
"""
BODIES = {
    "cli": "from web.cli import main\nassert main(sys.argv) == 0",
    "script": ("try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
               "except SystemExit as exc:\n    assert not exc.code, exc.code"),
    "prepare": ("from graphs.store import load_graph\nfrom routing import RoutingService\n"
                "RoutingService(load_graph(sys.argv[0]), profiles=sys.argv[1].split(','))"),
}


def run(kind: str, *argv) -> dict:
    """A measured step in a fresh interpreter: its wall time and peak RSS."""
    code = PEAK.format(body=BODIES[kind])
    result = subprocess.run([sys.executable, "-c", code, *map(str, argv)], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def serve(graph: Path, profiles: str, routes: int) -> dict:
    result = subprocess.run([sys.executable, "-c", ONE_PROCESS, str(graph), profiles,
                             str(routes)], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osm", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--factors", default="1,4,16")
    parser.add_argument("--profiles", default="hike,bike")
    parser.add_argument("--routes", type=int, default=50, help="routes per profile (serve)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.out / "x1"
    report = {"profiles": args.profiles}
    for factor in (int(f) for f in args.factors.split(",")):
        graph = args.out / f"x{factor}"
        t0 = time.perf_counter()
        if factor == 1:
            build = run("cli", "build", "--osm", args.osm, "--out", graph)
        else:
            build = run("script", ROOT / "benchmarks" / "tile_graph.py", "--graph", base,
                        "--factor", factor, "--out", graph)
        loaded = load_graph(graph)
        prepare = run("prepare", graph, args.profiles)
        report[f"x{factor}"] = {"nodes": loaded.n_nodes, "edges": loaded.n_edges,
                                "build": build,
                                "prepare": prepare, "serve": serve(graph, args.profiles,
                                                                   args.routes),
                                "total_seconds": round(time.perf_counter() - t0, 1)}
        print(json.dumps({f"x{factor}": report[f"x{factor}"]}), file=sys.stderr)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

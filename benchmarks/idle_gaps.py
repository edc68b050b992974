"""What a pause between routes costs: the same routes + GeoJSON, back to back and with
the thread asleep 0.5 / 2 / 10 ms before each one (as a server waits for its next
request), timed in thread CPU.

Why: a request-response benchmark over one connection (``peers.py``'s HTTP rows)
leaves the serving core idle between requests; the next route then starts with
caches, branch predictors and TLBs that other work (or the host) has used meanwhile.
A loop that plans routes back to back measures none of that. This says how much of the
served route's time is that cold start, on this machine, in the same run.

    python benchmarks/idle_gaps.py --graph build/heidelberg [--pairs 200] [--rounds 2]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from route_scaling import query_pairs  # noqa: E402  (benchmarks/ is this script's path)

GAPS_MS = (0.0, 0.5, 2.0, 10.0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--profile", default="hike")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the gaps, in turn")
    args = parser.parse_args(argv)
    from graphs.store import load_graph
    from routing import RoutingError, RoutingService

    graph = load_graph(args.graph)
    service = RoutingService(graph, profiles=(args.profile,))
    service.warm_up()
    points = query_pairs(graph, args.pairs, args.seed)
    options = orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY
    times: dict = {gap: [] for gap in GAPS_MS}
    for _ in range(args.rounds):
        for gap in GAPS_MS:             # in turn, so that a slow spell hits every gap alike
            for a, b in points:
                if gap:
                    time.sleep(gap / 1000)
                started = time.thread_time()
                try:
                    orjson.dumps(service.route([a, b], args.profile).to_geojson(arrays=True),
                                 default=float, option=options)
                except RoutingError:
                    continue
                times[gap].append(time.thread_time() - started)
    base = float(np.median(times[0.0]))
    out = {"graph": graph.meta.get("name"), "profile": args.profile, "routes": len(points),
           "rounds": args.rounds,
           "route_geojson_cpu_p50_ms": {f"gap_{gap:g}_ms": round(float(np.median(t)) * 1000, 4)
                                        for gap, t in times.items()},
           "over_no_gap": {f"gap_{gap:g}_ms": round(float(np.median(t)) / base, 3)
                           for gap, t in times.items()}}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Check that a change to the routing code changes no answer: save, then compare.

Plans the same routes (node pairs 1-15 km apart, the same pairs moved off the
nodes by up to 60 m so that they snap mid-edge, and routes between places) for
several profiles, and records each itinerary's ``to_dict()`` (figures as
served) and a digest of its raw arrays (every bit of the geometry). ``--check``
replans them and counts the routes whose answer differs, field by field.

    python benchmarks/same_answers.py --graph build/heidelberg --save /tmp/answers.json
    # ... change the code ...
    python benchmarks/same_answers.py --graph build/heidelberg --check /tmp/answers.json
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from route_scaling import query_pairs  # noqa: E402


def queries(graph, count: int, seed: int) -> list:
    """Node pairs, the same pairs jittered off the nodes, and pairs of places."""
    pairs = [list(p) for p in query_pairs(graph, count, seed)]
    rng = np.random.default_rng(seed + 1)
    jitter = [[(a[0] + dy, a[1] + dx), (b[0] - dy, b[1] - dx)]
              for (a, b), (dy, dx) in zip(pairs, rng.uniform(-5e-4, 5e-4, (len(pairs), 2)))]
    ids = [p.id for p in graph.places if p.kind != "peak"]
    places = [[ids[i], ids[j]] for i, j in rng.integers(0, len(ids), (count // 4, 2)) if i != j] \
        if len(ids) > 1 else []
    return pairs + jitter + places


def answer(service, points, profile: str) -> dict:
    from routing import RoutingError

    try:
        it = service.route(points, profile)
    except RoutingError as exc:
        return {"error": type(exc).__name__}
    raw = hashlib.sha1(b"".join(np.ascontiguousarray(getattr(it, k), np.float64).tobytes()
                                for k in ("lat", "lon", "ele", "cum_m"))).hexdigest()
    return {"dict": json.loads(json.dumps(it.to_dict(), default=float)), "raw": raw}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--profiles", default="hike,bike,trail")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--check", type=Path)
    args = parser.parse_args(argv)
    from graphs.store import load_graph
    from routing import RoutingService

    graph = load_graph(args.graph)
    profiles = args.profiles.split(",")
    service = RoutingService(graph, profiles=profiles)
    qs = queries(graph, args.pairs, args.seed)
    answers = {f"{p}:{i}": answer(service, q, p) for p in profiles for i, q in enumerate(qs)}
    if args.save:
        args.save.write_text(json.dumps(answers))
        print(json.dumps({"saved": len(answers)}))
        return 0
    reference = json.loads(args.check.read_text())
    fields: dict = {}
    differ = 0
    for key, ref in reference.items():
        new = answers.get(key)
        if new == ref:
            continue
        differ += 1
        if "dict" not in ref or new is None or "dict" not in new:
            fields["error"] = fields.get("error", 0) + 1
            continue
        for name in sorted(set(ref["dict"]) | set(new["dict"])):
            if ref["dict"].get(name) != new["dict"].get(name):
                fields[name] = fields.get(name, 0) + 1
        if ref["raw"] != new["raw"]:
            fields["raw_arrays"] = fields.get("raw_arrays", 0) + 1
    print(json.dumps({"routes": len(reference), "differ": differ, "fields": fields}))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

"""Count of turns in our instructions against OSRM's steps on the same pairs.

Run from the repository root (Python of the project), with a Python >= 3.12 that has
``osrm-bindings`` and OSRM data sets extracted from the same OSM file::

    python -m osrm extract -p PROFILES/bicycle.lua heidelberg.osm.pbf   # and foot.lua
    python -m osrm partition heidelberg.osrm && python -m osrm customize heidelberg.osrm
    python benchmarks/turns_vs_osrm.py --osm ../shared/data/osm/heidelberg.osm.pbf \\
        --osrm-python /tmp/peers/bin/python \\
        --osrm bike=/tmp/osrm/bicycle/heidelberg.osrm --osrm hike=/tmp/osrm/foot/heidelberg.osrm

A turn is a change of direction the traveller is told about: our ``turn``/``keep``/
``roundabout`` maneuvers that are not straight on, OSRM's steps other than depart, arrive,
new name, notifications and straight-on continues. The figure of merit is the ratio of
the totals over all pairs (must lie within 1 ± 0.25); the per-pair spread is reported too.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import graphs  # noqa: E402
import routing  # noqa: E402
from routing.maneuvers import build_maneuvers, turn_count  # noqa: E402

NOT_TURNS = {"depart", "arrive", "new name", "notification", "exit roundabout", "exit rotary",
             "use lane"}


def osrm_turns(steps: list) -> int:
    """Changes of direction among OSRM's steps."""
    return sum(1 for kind, mod in steps if kind not in NOT_TURNS
               and not (mod in ("straight", "") and kind in ("continue", "turn", "fork",
                                                             "merge", "end of road")))


def random_pairs(graph, count: int, seed: int, min_m: float = 1500.0) -> list:
    """Pairs of junctions of the main component, at least ``min_m`` apart."""
    rng = np.random.default_rng(seed)
    main = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
    pairs = []
    while len(pairs) < count:
        a, b = rng.choice(main, 2, replace=False)
        pa = (float(graph.node_lat[a]), float(graph.node_lon[a]))
        pb = (float(graph.node_lat[b]), float(graph.node_lon[b]))
        if float(graphs.geo.haversine_m(pa[0], pa[1], pb[0], pb[1])) >= min_m:
            pairs.append((pa, pb))
    return pairs


def run(osm: Path, osrm_python: str, datasets: dict, pairs: int, seed: int) -> dict:
    graph = graphs.build_graph(osm, settings=graphs.Settings(progress=False))
    router = routing.Router(graph)
    points = random_pairs(graph, pairs, seed)
    report = {"osm": osm.name, "pairs": pairs, "seed": seed, "profiles": {}}
    for profile, data in datasets.items():
        request = json.dumps({"data": data, "pairs": points})
        done = subprocess.run([osrm_python, str(Path(__file__).with_name("osrm_steps.py"))],
                              input=request, capture_output=True, text=True, check=True)
        theirs = json.loads(done.stdout)
        ours_n, theirs_n, ratios, maneuvers_n, steps_n = [], [], [], [], []
        km_ours, km_osrm = 0.0, 0.0
        network = router.network(profile)
        for pair, other in zip(points, theirs):
            if other is None:
                continue
            try:
                it = router.route(list(pair), profile)
            except routing.RoutingError:
                continue
            mine = build_maneuvers(network, it)
            ours_n.append(turn_count(mine))
            theirs_n.append(osrm_turns(other["steps"]))
            maneuvers_n.append(len(mine))
            km_ours += it.distance_m / 1000
            km_osrm += other["distance"] / 1000
            steps_n.append(len(other["steps"]))
            if theirs_n[-1]:
                ratios.append(ours_n[-1] / theirs_n[-1])
        total_ratio = sum(ours_n) / max(sum(theirs_n), 1)
        report["profiles"][profile] = {
            "osrm_data": data, "compared": len(ours_n),
            "turns_ours": int(sum(ours_n)), "turns_osrm": int(sum(theirs_n)),
            "ratio_of_totals": round(total_ratio, 3),
            "within_25pct": bool(abs(total_ratio - 1) <= 0.25),
            "per_pair_ratio_median": round(float(np.median(ratios)), 3) if ratios else None,
            "pairs_within_25pct": round(float(np.mean([abs(r - 1) <= 0.25 for r in ratios])), 3)
            if ratios else None,
            "maneuvers_ours": int(sum(maneuvers_n)), "steps_osrm": int(sum(steps_n)),
            "turns_per_km_ours": round(sum(ours_n) / max(km_ours, 1e-9), 2),
            "turns_per_km_osrm": round(sum(theirs_n) / max(km_osrm, 1e-9), 2),
        }
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osm", type=Path, required=True)
    parser.add_argument("--osrm-python", required=True, help="python with osrm-bindings (>=3.12)")
    parser.add_argument("--osrm", action="append", required=True, metavar="PROFILE=FILE.osrm",
                        help="our profile and the OSRM data set to compare it with")
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    datasets = dict(item.split("=", 1) for item in args.osrm)
    json.dump(run(args.osm, args.osrm_python, datasets, args.pairs, args.seed), sys.stdout,
              indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: ``bassin-routes build`` against ``osmnx.graph_from_xml`` on the same data.

Each contender runs in its own fresh Python process (so imports and peak
memory are counted the same way), several times; the script prints one JSON
object with wall times, peak RSS and the ratios. osmnx reads only OSM XML, so
a PBF input is first converted to XML (not counted).

    python benchmarks/build_vs_osmnx.py --osm ../shared/data/osm/heidelberg.osm.pbf
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OURS = """
import sys, graphs
g = graphs.build_graph(sys.argv[1])
graphs.save_graph(g, sys.argv[2])
print(g.n_nodes, g.n_edges)
"""

OSMNX = """
import sys, osmnx
g = osmnx.graph_from_xml(sys.argv[1], simplify=True, retain_all=True)
print(len(g), g.number_of_edges())
"""


def to_xml(pbf: Path, out: Path) -> Path:
    import osmium

    writer = osmium.SimpleWriter(str(out))
    for obj in osmium.FileProcessor(str(pbf)):
        writer.add(obj)
    writer.close()
    return out


def run(code: str, *args: str) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"benchmark child failed:\n{err}")
    return wall, usage.ru_maxrss / 1024.0, out.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--osm", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        xml = args.osm
        if args.osm.name.endswith(".pbf"):
            xml = to_xml(args.osm, Path(tmp) / "input.osm")
        ours, theirs = [], []
        for i in range(args.repeat):
            ours.append(run(OURS, str(args.osm), str(Path(tmp) / f"g{i}")))
            theirs.append(run(OSMNX, str(xml)))
    wall_o = statistics.median(r[0] for r in ours)
    wall_x = statistics.median(r[0] for r in theirs)
    mem_o = max(r[1] for r in ours)
    mem_x = max(r[1] for r in theirs)
    print(json.dumps({
        "input": args.osm.name, "repeat": args.repeat,
        "ours_wall_s": round(wall_o, 2), "osmnx_wall_s": round(wall_x, 2),
        "speedup": round(wall_x / wall_o, 2),
        "ours_peak_mib": round(mem_o, 1), "osmnx_peak_mib": round(mem_x, 1),
        "memory_ratio": round(mem_o / mem_x, 3),
        "ours_nodes_edges": ours[0][2], "osmnx_nodes_edges": theirs[0][2],
    }, indent=1))


if __name__ == "__main__":
    main()

"""Benchmark: ``bassin-routes build`` against ``osmnx.graph_from_xml`` on the same data.

Each contender runs in its own fresh Python process (so imports and peak
memory are counted the same way), several times; the script prints one JSON
object with wall times, peak RSS and the ratios. Both read the same
file: the input's ways tagged ``highway`` and their nodes, written as OSM XML
(osmnx reads only XML); the conversion is not counted. Each then keeps what
its own rules route on, so the node/edge counts of both graphs are printed.

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


def highway_xml(source: Path, out: Path) -> Path:
    """The ways tagged ``highway`` and their nodes, as OSM XML: the one input both builders
    read (so neither gets data the other never sees: buildings, landuse, relations)."""
    import osmium

    nodes: set = set()
    for way in osmium.FileProcessor(str(source), osmium.osm.WAY):
        if "highway" in way.tags:
            nodes.update(n.ref for n in way.nodes)
    writer = osmium.SimpleWriter(str(out))
    for obj in osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY):
        if (obj.is_node() and obj.id in nodes) or (obj.is_way() and "highway" in obj.tags):
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
        raise RuntimeError(f"benchmark child failed:\n{err}")
    return wall, usage.ru_maxrss / 1024.0, out.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--osm", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out: dict = {"input": f"{args.osm.name}, ways tagged highway and their nodes "
                          "(OSM XML, read by both)", "repeat": args.repeat}
    runs: dict = {"ours": [], "osmnx": []}
    with tempfile.TemporaryDirectory() as tmp:
        xml = highway_xml(args.osm, Path(tmp) / "highways.osm")
        for i in range(args.repeat):
            for name, code, extra in (("ours", OURS, [str(Path(tmp) / f"g{i}")]),
                                      ("osmnx", OSMNX, [])):
                try:
                    runs[name].append(run(code, str(xml), *extra))
                except RuntimeError as exc:     # reported; the other contender still runs
                    out[f"{name}_error"] = str(exc)[-500:]
    for name, results in runs.items():
        if results:
            out[f"{name}_wall_s"] = round(statistics.median(r[0] for r in results), 2)
            out[f"{name}_peak_mib"] = round(max(r[1] for r in results), 1)
            out[f"{name}_nodes_edges"] = results[0][2]
    if runs["ours"] and runs["osmnx"]:
        out["speedup"] = round(out["osmnx_wall_s"] / out["ours_wall_s"], 2)
        out["memory_ratio"] = round(out["ours_peak_mib"] / out["osmnx_peak_mib"], 3)
    print(json.dumps(out, indent=1))

if __name__ == "__main__":
    main()

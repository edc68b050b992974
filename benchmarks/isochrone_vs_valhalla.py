"""Areas of our isochrones against Valhalla's from the same points, same OSM file.

Run from the repository root::

    valhalla_build_tiles -c config.json heidelberg.osm.pbf        # with pyvalhalla
    python benchmarks/isochrone_vs_valhalla.py --graph build/heidelberg \\
        --valhalla-python /tmp/peers/bin/python --valhalla-config config.json

Reports per point, profile and contour the two areas (km², in the same local metric
projection), their ratio and the intersection over union of the polygons. Ours buffers
the reached ways by ``routing.isochrone.BUFFER_M``; Valhalla generalises a grid, so the
ratio depends on that choice as well as on speeds and access rules.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import graphs  # noqa: E402
import routing  # noqa: E402
from graphs.geo import LocalProjection  # noqa: E402
from routing.isochrone import isochrone  # noqa: E402

#: Our profile -> Valhalla costing.
COSTING = {"hike": "pedestrian", "bike": "bicycle"}
POINTS = [(49.4094, 8.6942), (49.3988, 8.6724), (49.4180, 8.7160)]     # old town, Bergheim, Neuenheim
MINUTES = {"hike": [15, 30], "bike": [10, 20]}


def _projected(geometry, proj):
    return shapely.transform(shape(geometry), lambda xy: np.column_stack(
        proj.forward(xy[:, 1], xy[:, 0])))


def _polygonal(geom):
    """Valhalla returns LineStrings rings when polygons=false; ensure areas."""
    if geom.geom_type in ("LineString", "MultiLineString"):
        return shapely.polygonize([geom])
    return geom


def run(graph_dir: Path, valhalla_python: str, config: str) -> dict:
    router = routing.Router(graphs.load_graph(graph_dir))
    queries = [{"lat": lat, "lon": lon, "costing": COSTING[p], "minutes": MINUTES[p], "profile": p}
               for p in COSTING for lat, lon in POINTS]
    done = subprocess.run([valhalla_python, str(Path(__file__).with_name("valhalla_isochrone.py"))],
                          input=json.dumps({"config": config, "queries": queries}),
                          capture_output=True, text=True, check=True)
    theirs = json.loads(done.stdout)
    rows = []
    for q, other in zip(queries, theirs):
        ours = isochrone(router, (q["lat"], q["lon"]), q["profile"], minutes=q["minutes"])
        proj = LocalProjection(q["lat"])
        for feature in ours["features"]:
            minutes = feature["properties"]["contour"]
            match = [f for f in other.get("features", [])
                     if f["properties"].get("contour") == minutes]
            if not match:
                continue
            a = _projected(feature["geometry"], proj)
            b = _polygonal(_projected(match[0]["geometry"], proj))
            union = shapely.union(a, b).area
            rows.append({"profile": q["profile"], "point": [q["lat"], q["lon"]], "minutes": minutes,
                         "ours_km2": round(a.area / 1e6, 2), "valhalla_km2": round(b.area / 1e6, 2),
                         "ratio": round(a.area / b.area, 3) if b.area else None,
                         "iou": round(shapely.intersection(a, b).area / union, 3) if union else None})
    ratios = [r["ratio"] for r in rows if r["ratio"]]
    return {"rows": rows, "median_ratio": round(float(np.median(ratios)), 3) if ratios else None,
            "median_iou": round(float(np.median([r["iou"] for r in rows if r["iou"] is not None])), 3)
            if rows else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--valhalla-python", required=True)
    parser.add_argument("--valhalla-config", required=True)
    args = parser.parse_args(argv)
    json.dump(run(args.graph, args.valhalla_python, args.valhalla_config), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

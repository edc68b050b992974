"""Valhalla's isochrones (run with the Python that has pyvalhalla, >= 3.12).

Reads ``{"config": PATH, "queries": [{"lat", "lon", "costing", "minutes": [...]}]}`` on
stdin and prints, per query, Valhalla's GeoJSON (polygons). Used by
``benchmarks/isochrone_vs_valhalla.py``; tiles come from ``valhalla_build_tiles`` on the
same OSM file.
"""
import json
import sys

from valhalla import Actor


def main() -> None:
    request = json.load(sys.stdin)
    actor = Actor(request["config"])
    out = []
    for q in request["queries"]:
        body = {"locations": [{"lat": q["lat"], "lon": q["lon"]}], "costing": q["costing"],
                "contours": [{"time": m} for m in q["minutes"]], "polygons": True}
        out.append(json.loads(actor.isochrone(json.dumps(body))))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

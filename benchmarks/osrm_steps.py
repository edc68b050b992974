"""OSRM's steps for pairs of points (run with the Python that has osrm-bindings, >= 3.12).

Reads ``{"data": PATH.osrm, "pairs": [[[lat, lon], [lat, lon]], …]}`` on stdin and prints,
per pair, the list of ``[type, modifier]`` of the steps (or null when OSRM finds no route).
Used by ``benchmarks/turns_vs_osrm.py``; the data set is prepared with
``python -m osrm extract|partition|customize`` from the same OSM file.
"""
import json
import sys

import osrm


def main() -> None:
    request = json.load(sys.stdin)
    engine = osrm.OSRM(storage_config=request["data"], algorithm="MLD", use_shared_memory=False)
    out = []
    for (a, b) in request["pairs"]:
        params = osrm.RouteParameters(coordinates=[(a[1], a[0]), (b[1], b[0])], steps=True,
                                      overview="false")
        try:
            result = engine.Route(params)
        except RuntimeError:
            out.append(None)
            continue
        if result["code"] != "Ok":
            out.append(None)
            continue
        route = result["routes"][0]
        steps = [[str(s["maneuver"]["type"]),
                  str(s["maneuver"]["modifier"]) if "modifier" in s["maneuver"] else ""]
                 for leg in route["legs"] for s in leg["steps"]]
        out.append({"steps": steps, "distance": float(route["distance"])})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

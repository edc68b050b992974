"""The floor of a served route: a bare WSGI app under granian that plans the route and
writes its GeoJSON, and nothing else (``peers.py`` times it beside the real app).

Not a service: no words, no validation beyond what routing does, no security headers,
no logs, no metrics, no limits. It is what :mod:`web.granian_server` would cost if the
whole web layer took no time at all: the routing (``RoutingService.route``), the
GeoJSON text (``to_geojson`` + orjson, as ``/api/v1/route`` writes it, less the words)
and the HTTP server. Comparing it with ``osrm-routed`` in the same run says how much of
the HTTP gap is the web layer and how much the route and the server.

    BASSIN_GRAPH_DIR=build/heidelberg BASSIN_PROFILES=hike \\
        python benchmarks/bare_route_server.py --port 8001
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEALTH = b'{"status": "ok"}'


def bare_app(graph_dir: str, profile: str):
    """The WSGI app: ``/health``, and ``?points=lat,lon;lat,lon[&profile=]`` as GeoJSON."""
    import orjson

    from graphs.store import load_graph
    from routing import RoutingError, RoutingService

    service = RoutingService(load_graph(graph_dir), profiles=(profile,))
    service.warm_up()
    options = orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY

    def app(environ, start_response):
        status, body = "200 OK", HEALTH
        if environ.get("PATH_INFO") != "/health":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            try:
                points = [tuple(float(v) for v in point.split(","))
                          for point in query["points"][0].split(";")]
                itinerary = service.route(points, query.get("profile", [profile])[0])
                body = orjson.dumps(itinerary.to_geojson(arrays=True), default=float,
                                    option=options)
            except (KeyError, ValueError, RoutingError) as exc:
                status, body = "422 Unprocessable Entity", orjson.dumps({"detail": str(exc)})
        start_response(status, [("Content-Type", "application/geo+json"),
                                ("Content-Length", str(len(body)))])
        return [body]
    return app


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4, help="WSGI threads per worker")
    args = parser.parse_args(argv)
    from granian import Granian
    from granian.constants import Interfaces

    app = bare_app(os.environ["BASSIN_GRAPH_DIR"],
                   os.environ.get("BASSIN_PROFILES", "hike").split(",")[0])
    multiprocessing.set_start_method("fork", force=True)     # workers take the built app
    Granian("bare_route_server:app", address=args.host, port=args.port,
            interface=Interfaces.WSGI, workers=args.workers, blocking_threads=args.threads,
            websockets=False, log_access=False).serve(target_loader=lambda target: app)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

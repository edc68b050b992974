"""``bassin-routes bench-http``: HTTP route + GeoJSON latency against the engine, same queries.

The real app is served by a threaded WSGI server on the loopback interface and
queried over one keep-alive connection; the same random pairs are then
planned in-process (Router.route + GeoJSON) and as bare engine queries.
"""
from __future__ import annotations

import http.client
import json
import tempfile
import threading
import time

import numpy as np
from werkzeug.serving import make_server

from graphs.store import load_graph
from routing import RoutingService


def _ms(values, q) -> float:
    return round(float(np.percentile(values, q)) * 1000, 3)


def http_route_times(service, coords: list, profile: str = "hike") -> tuple[list, int]:
    """Seconds per ``/api/v1/route`` (GeoJSON) request of the real app on loopback, over
    one keep-alive connection, for each pair of ``coords``; and the non-200 count."""
    from .app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "INSTANCE_DIR": tmp},
                         router=service)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port)
        http_t, failures = [], 0
        try:
            for (a, b) in [coords[0]] + list(coords):          # the first request warms up
                url = (f"/api/v1/route?profile={profile}"
                       f"&points={a[0]:.6f},{a[1]:.6f};{b[0]:.6f},{b[1]:.6f}")
                t0 = time.perf_counter()
                conn.request("GET", url)
                response = conn.getresponse()
                body = response.read()
                http_t.append(time.perf_counter() - t0)
                if response.status != 200:
                    failures += 1
                else:
                    json.loads(body)
        finally:
            conn.close()
            server.shutdown()
    return http_t[1:], failures


def run_http_bench(graph_dir, requests: int = 200, seed: int = 2, profile: str = "hike") -> dict:
    graph = load_graph(graph_dir)
    router = RoutingService(graph, profiles=(profile,))
    network = router.network(profile)
    rng = np.random.default_rng(seed)
    main = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
    pairs = [tuple(int(n) for n in rng.choice(main, 2, replace=False)) for _ in range(requests)]
    coords = [((graph.node_lat[a], graph.node_lon[a]), (graph.node_lat[b], graph.node_lon[b]))
              for a, b in pairs]
    http_t, failures = http_route_times(router, coords, profile)
    plan_t = []
    for a, b in coords:
        t0 = time.perf_counter()
        try:
            json.dumps(router.route([a, b], profile).to_geojson())
        except Exception:          # same failures as over HTTP; timing only
            pass
        plan_t.append(time.perf_counter() - t0)
    engine_t = []
    for s, t in pairs:
        t0 = time.perf_counter()
        network.node_query(s, t)
        engine_t.append(time.perf_counter() - t0)
    return {
        "graph": graph.meta.get("name"), "profile": profile, "requests": requests, "seed": seed,
        "http_p50_ms": _ms(http_t, 50), "http_p95_ms": _ms(http_t, 95),
        "plan_geojson_p50_ms": _ms(plan_t, 50), "plan_geojson_p95_ms": _ms(plan_t, 95),
        "engine_p50_ms": _ms(engine_t, 50), "engine_p95_ms": _ms(engine_t, 95),
        "http_over_engine_p50": round(float(np.median(http_t) / np.median(engine_t)), 1),
        "non_200": failures,
    }

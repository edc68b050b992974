"""WSGI entry point: ``gunicorn wsgi:app`` (settings in ``gunicorn.conf.py``).

Configuration comes from the environment (BASSIN_GRAPH_DIR, BASSIN_PROFILES,
BASSIN_DATABASE_URL, BASSIN_SECRET_KEY, BASSIN_TILE_URL, BASSIN_EMBED_ORIGINS…):
see README. The routing service is built and warmed up here, before any request.
"""
import gc
import logging
import os
import sys

from graphs.errors import BassinRoutesError
from web import create_app
from web.app import warm_up
from web.logs import lean_records

#: Served once in the master before forking (see :func:`warm_request_paths`).
WARM_PATHS = ("/health", "/api/v1/route?profile={profile}&points={points}")
#: The address the warm-up requests come from (TEST-NET-1: no client's rate limits).
WARM_ADDRESS = "192.0.2.1"


def warm_request_paths(app) -> list[int]:
    """Serve the requests workers serve most (``/health``, a GeoJSON route per profile)
    once, here in the master before forking; returns their status codes.

    A forked worker shares the master's pages until it writes one. CPython 3.11
    rewrites a function's bytecode in place as it first runs it (specialisation), and
    a request path first taken builds lazy state (URL rules, header parsers, …): done
    in every worker, that copies the pages holding them — measured: 8 MB less private
    memory per worker after 40 routes when the master has served these three requests
    first (23.9 -> 15.5 MB). They are served to no one: the access log is off meanwhile
    and the request metrics start again from zero afterwards; with Prometheus'
    multiprocess mode (counts kept in files) nothing is served here.
    """
    from web.extensions import EXTENSION_KEY
    from web.metrics import EXTENSION_KEY as METRICS_KEY, ServiceMetrics
    from prometheus_client import CollectorRegistry

    state = app.extensions.get(EXTENSION_KEY)
    service = getattr(state, "service", None)
    if service is None or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return []
    graph = service.graph
    paths = [WARM_PATHS[0]]
    for profile in service.profiles:
        a, b = service.network(profile).warm_up()
        if a >= 0:
            points = (f"{graph.node_lat[a]:.6f},{graph.node_lon[a]:.6f};"
                      f"{graph.node_lat[b]:.6f},{graph.node_lon[b]:.6f}")
            paths.append(WARM_PATHS[1].format(profile=profile, points=points))
    access = logging.getLogger("web.access")
    disabled, access.disabled = access.disabled, True
    try:
        client = app.test_client()
        statuses = [client.get(path, environ_base={"REMOTE_ADDR": WARM_ADDRESS}).status_code
                    for path in paths]
    finally:
        access.disabled = disabled
    metrics = app.extensions.get(METRICS_KEY)
    if metrics is not None:
        app.extensions[METRICS_KEY] = ServiceMetrics(CollectorRegistry(), metrics.routing_stats)
    return statuses


try:
    app = create_app()
except BassinRoutesError as exc:        # e.g. a database schema newer than this release
    sys.exit(f"bassin-routes: cannot start: {exc}")
warm_up(app)
warm_request_paths(app)
lean_records()
# Everything built so far lives as long as the process: keep it out of the collector's
# generations, so that collections in forked workers leave the shared pages alone.
gc.freeze()

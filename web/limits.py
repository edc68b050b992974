"""Rate limits (Flask-Limiter): logins per user and per address, anonymous expensive work.

The storage is ``RATELIMIT_STORAGE_URI`` (``BASSIN_RATELIMIT_STORAGE``): ``memory://``
by default; ``database`` (the service's own database, :mod:`web.ratelimit_storage`) or
e.g. ``redis://host:6379`` when several workers and instances must share counts.
Past a limit the answer is a 429 problem detail with ``Retry-After``.

Other modules import :data:`limiter` (e.g. ``@limiter.limit("10/minute")``) or
call :func:`throttle` for a limit keyed by something else than the address.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

from .problems import Problem
from .ratelimit_storage import storage_uri

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)

#: Anonymous endpoints that plan or match (seconds of CPU each), by Flask endpoint.
EXPENSIVE_ANONYMOUS = ("api.tour", "api.loop", "api.stages", "api.gpx_match", "api.gpx_statistics",
                       "routing_api.directions", "routing_api.isochrone_view",
                       "routing_api.matrix_view", "node_network.node_route",
                       "node_network.connectivity", "node_network.proposal",
                       "node_network.network_map")
#: Endpoints limited for everybody (a staff import can match hundreds of treks).
EXPENSIVE_ALWAYS = ("geotrek.import_document",)


def throttle(setting: str, scope: str, key: str) -> None:
    """Count one hit of ``key`` against the limits named by config ``setting``.

    Raises
    ------
    Problem
        429 when any of the limits is exhausted; ``Retry-After`` says when to retry.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    strategy = limiter.limiter
    for item in parse_many(current_app.config[setting]):
        if not strategy.hit(item, scope, key):
            reset, _ = strategy.get_window_stats(item, scope, key)
            g.retry_after = max(1, math.ceil(reset - time.time()))
            raise Problem(429, "Too many requests",
                          f"more than {item} for this {scope.split('-')[-1]}: retry in "
                          f"{g.retry_after} s", "rate-limited", retry_after=g.retry_after)


def _expensive() -> None:
    endpoint = request.endpoint
    if endpoint in EXPENSIVE_ALWAYS or (endpoint in EXPENSIVE_ANONYMOUS
                                        and g.get("user") is None):
        throttle("EXPENSIVE_LIMIT", "expensive-address", get_remote_address())


def _retry_after(response):
    if response.status_code == 429 and "retry_after" in g:
        response.headers["Retry-After"] = str(g.retry_after)
    return response


def init_app(app: Flask) -> None:
    """Bind the limiter to ``app``; limit the expensive endpoints (after the user is known)."""
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config["RATELIMIT_STORAGE_URI"],
                                                      app.config["DATABASE_URL"])
    limiter.init_app(app)
    app.before_request(_expensive)
    app.after_request(_retry_after)

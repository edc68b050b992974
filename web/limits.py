"""Rate limits (Flask-Limiter): logins per user and per address, anonymous expensive work.

The storage is ``RATELIMIT_STORAGE_URI`` (``BASSIN_RATELIMIT_STORAGE``): ``memory://``
by default; ``database`` (the service's own database, :mod:`web.ratelimit_storage`) or
e.g. ``redis://host:6379`` when several workers and instances must share counts.
Past a limit the answer is a 429 problem detail with ``Retry-After``.

Other modules import :data:`limiter` (e.g. ``@limiter.limit("10/minute")``) or
call :func:`throttle` for a limit keyed by something else than the address.
"""
from __future__ import annotations

import functools
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


def declares_limits() -> bool:
    """Whether Flask-Limiter holds limits of its own to check on a request: default,
    application-wide or meta limits, or limits on routes or blueprints (``@limiter.limit``).

    This service counts its limits with :func:`throttle` and declares none there today.
    When it cannot tell (another Flask-Limiter), it says True: the check then always runs.
    """
    try:
        manager = limiter.limit_manager
        return bool(manager.default_limits or manager.application_limits
                    or manager._decorated_limits or manager._blueprint_limits
                    or limiter._meta_limits)
    except AttributeError:
        return True


def _when_limits_declared(hook, idle):
    """``hook`` (one of Flask-Limiter's request hooks), run only while any limit is declared.

    With none declared it finds nothing to count or to say: ≈ 60 µs per request saved.
    Asked on every request, so a limit declared at any time is checked from then on.
    """
    @functools.wraps(hook)
    def guarded(*args):
        return hook(*args) if declares_limits() else idle(*args)
    return guarded


def _guard_limiter_hooks(app: Flask) -> None:
    hooks = app.before_request_funcs.get(None, [])
    for i, hook in enumerate(hooks):
        if hook == limiter._check_request_limit:
            hooks[i] = _when_limits_declared(hook, lambda: None)
    hooks = app.after_request_funcs.get(None, [])
    for i, hook in enumerate(hooks):
        if isinstance(hook, functools.partial) and hook.args == (limiter,):
            hooks[i] = _when_limits_declared(hook, lambda response: response)
    # its teardown resets the request's limiter state, which it first makes when none is
    hooks = app.teardown_request_funcs.get(None, [])
    for i, hook in enumerate(hooks):
        if (getattr(hook, "__name__", "") == "__release_context"
                and getattr(hook, "__self__", None) is limiter):
            hooks[i] = _when_limits_declared(hook, lambda exc=None: None)


def init_app(app: Flask) -> None:
    """Bind the limiter to ``app``; limit the expensive endpoints (after the user is known)."""
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config["RATELIMIT_STORAGE_URI"],
                                                      app.config["DATABASE_URL"])
    limiter.init_app(app)
    _guard_limiter_hooks(app)
    app.before_request(_expensive)
    app.after_request(_retry_after)

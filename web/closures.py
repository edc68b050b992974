"""The configured closures layer (``BASSIN_CLOSURES_FILE``), read once per app.

Stored in ``app.extensions["bassin_closures"]`` at start-up (an immutable
:class:`routing.avoid.ClosureLayer`); views ask :func:`restrictions` for a request's
options and the closure polygons that apply to its profile on its day, and hand both to
the planner (every planner honours them through ``RoutingService.restricted``).
"""
from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, has_app_context

from routing import InvalidQueryError
from routing.avoid import ClosureLayer
from routing.options import RouteOptions

EXTENSION_KEY = "bassin_closures"


def init_app(app: Flask) -> None:
    """Read ``CLOSURES_FILE`` (empty: no closures) into the app, once.

    Raises
    ------
    routing.InvalidQueryError
        The configured file is unreadable: the service refuses to start without it
        rather than route through closed areas.
    """
    if EXTENSION_KEY in app.extensions:
        return
    path = app.config.get("CLOSURES_FILE")
    app.extensions[EXTENSION_KEY] = ClosureLayer.from_geojson(path) if path else ClosureLayer()


def active_closures(profile: str, day: dt.date | None = None) -> tuple:
    """Polygons closed to ``profile`` on ``day`` (today by default) in the current app
    (none outside an app, e.g. the command line, which takes ``--closures``)."""
    if not has_app_context():
        return ()
    layer = current_app.extensions.get(EXTENSION_KEY) or ClosureLayer()
    return layer.active(profile, day)


def restrictions(params, profile: str) -> tuple[RouteOptions, tuple]:
    """A request's options (avoided areas included) and the closures active on its
    ``date`` (YYYY-MM-DD, default today) for ``profile``.

    Raises
    ------
    routing.InvalidQueryError
        Naming the malformed parameter.
    """
    day = None
    if params.get("date"):
        try:
            day = dt.date.fromisoformat(str(params["date"]))
        except ValueError:
            raise InvalidQueryError("parameter 'date' must be YYYY-MM-DD") from None
    return RouteOptions.from_params(params), active_closures(profile, day)

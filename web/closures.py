"""The configured closures layer (``BASSIN_CLOSURES_FILE``), read once per app.

Stored in ``app.extensions["bassin_closures"]`` at start-up (an immutable
:class:`routing.avoid.ClosureLayer`); views ask :func:`active_closures` for the
polygons that apply to a profile on a day.
"""
from __future__ import annotations

import datetime as dt

from flask import Flask, current_app

from routing.avoid import ClosureLayer

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
    """Polygons closed to ``profile`` on ``day`` (today by default) in the current app."""
    layer = current_app.extensions.get(EXTENSION_KEY) or ClosureLayer()
    return layer.active(profile, day)

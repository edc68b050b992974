"""Flask extensions of the service: the routing service, reached through ``current_app``.

Like Flask-SQLAlchemy, the extension object holds no app: :meth:`BassinRouting.init_app`
builds one immutable :class:`routing.RoutingService` per app, at start-up, into
``app.extensions["bassin"]``, and views reach it with :func:`get_routing`. Nothing is
loaded on a request, so the first request is as fast as the next.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from flask import Flask, current_app

from graphs.errors import GraphLoadError

EXTENSION_KEY = "bassin"


@dataclasses.dataclass(frozen=True)
class RoutingState:
    """What :meth:`BassinRouting.init_app` stored: the service, or why there is none."""

    service: object | None
    error: GraphLoadError | None = None


class BassinRouting:
    """Builds the app's routing service from ``GRAPH_DIR`` and ``PROFILES``.

    A missing or unreadable graph does not stop the app: pages that need no
    graph still work, and routing answers 503 with the reason.
    """

    def init_app(self, app: Flask, service=None) -> None:
        """Load the graph and build the service (``service``: one already built, e.g. tests).

        Raises
        ------
        RuntimeError
            The app already has a routing service.
        """
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError("BassinRouting is already registered on this app")
        error = None
        if service is None:
            try:
                service = load_service(app.config["GRAPH_DIR"], app.config.get("PROFILES"))
            except GraphLoadError as exc:
                error = exc
        app.extensions[EXTENSION_KEY] = RoutingState(service, error)


def load_service(graph_dir, profiles=None):
    """The routing service of a compiled graph directory, warmed up for its first query."""
    from graphs.store import load_graph
    from routing import RoutingService
    from routing.resident import set_up_numba_without_blas

    from . import coordinate_text

    # Kernels load from here on (caches a fresh graph lacks are built with them): numba
    # is set up first, without SciPy's BLAS (routing.resident).
    set_up_numba_without_blas()
    # A pointer to versioned builds is resolved once: the files read are all of one build.
    service = RoutingService(load_graph(Path(graph_dir).resolve()), profiles=profiles)
    coordinate_text.warm_up()         # before the service's, which hands LLVM's pages back
    service.warm_up()
    return service


def get_routing():
    """The current app's routing service.

    Raises
    ------
    RuntimeError
        ``init_app`` was never called for this app.
    GraphLoadError
        The app has no graph (the reason it could not be loaded).
    """
    state = current_app.extensions.get(EXTENSION_KEY)
    if state is None:
        raise RuntimeError("no routing service: BassinRouting.init_app(app) was not called")
    if state.service is None:
        raise state.error
    return state.service


routing_ext = BassinRouting()


def get_database():
    """The current app's saved-itinerary and account database (:class:`web.db.Database`)."""
    from flask import current_app

    return current_app.extensions["bassin_db"]

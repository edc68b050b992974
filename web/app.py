"""The Flask application factory."""
from __future__ import annotations

import logging
import threading

from flask import Flask, g, jsonify

from graphs.errors import GraphLoadError
from graphs.store import load_graph

from . import problems
from .config import load_config
from .db import Database
from .i18n import select_language, t
from .params import BoundedJSONProvider
from .security import check_csrf, csrf_token, current_user


class RouterHolder:
    """Loads the graph and its Router once, on first use, thread-safely."""

    def __init__(self, graph_dir: str, router=None):
        self.graph_dir = graph_dir
        self._router = router
        self._lock = threading.Lock()

    def get(self):
        if self._router is None:
            with self._lock:
                if self._router is None:
                    from routing import Router

                    self._router = Router(load_graph(self.graph_dir))
        return self._router

    def loaded(self) -> bool:
        return self._router is not None


def create_app(config: dict | None = None, router=None) -> Flask:
    """Build the app.

    Parameters
    ----------
    config : dict, optional
        Overrides of the environment configuration (see :mod:`web.config`).
    router : routing.Router, optional
        An already loaded router (tests); otherwise ``GRAPH_DIR`` is loaded on first use.
    """
    app = Flask(__name__, instance_path=None)
    app.config.update(load_config(config))
    app.json = BoundedJSONProvider(app)       # JSON bodies bounded in size and depth
    app.extensions["bassin_db"] = Database(app.config["DATABASE_URL"])
    app.extensions["bassin_router"] = RouterHolder(app.config["GRAPH_DIR"], router)
    problems.register(app)

    from .api import bp as api_bp
    from .geotrek_api import bp as geotrek_bp
    from .itineraries_api import bp as itineraries_bp
    from .openapi import bp as openapi_bp
    from .pages import bp as pages_bp

    app.register_blueprint(openapi_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(geotrek_bp)
    app.register_blueprint(itineraries_bp)
    app.register_blueprint(pages_bp)

    @app.before_request
    def _before():
        g.lang = select_language()
        current_user()
        check_csrf()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        return response

    @app.context_processor
    def _template_globals():
        return {"t": t, "lang": g.get("lang", "fr"), "user": current_user(),
                "csrf_token": csrf_token}

    @app.get("/health")
    def health():
        holder = app.extensions["bassin_router"]
        try:
            meta = holder.get().graph.meta
        except GraphLoadError as exc:
            return jsonify({"status": "no-graph", "detail": str(exc)}), 503
        return jsonify({"status": "ok", "graph": {
            k: meta.get(k) for k in ("name", "source", "osm_date", "build_date", "format_version",
                                     "heritage", "dem", "attribution")}
            | {"summary": {k: meta.get("summary", {}).get(k) for k in
                           ("nodes", "edges", "km", "places_by_kind", "route_relations")}}})

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return app


def router():
    """The current app's Router (loads the graph on first call)."""
    from flask import current_app

    return current_app.extensions["bassin_router"].get()
